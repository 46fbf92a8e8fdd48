import { fileURLToPath } from "node:url";
import protobuf from "protobufjs";

// The protobuf definitions Failsight reads, loaded from proto/ (the OpenTelemetry project's
// own .proto files, and Loki's push request) by protobufjs, once, on first use.

/** proto/ beside app/ in the sources, beside dist/app/ in the image. */
const PROTO_ROOT = fileURLToPath(new URL("../../../proto/", import.meta.url));

const roots = new Map<string, protobuf.Root>();

/** A message type from a .proto file under proto/ (imports resolved there too; google/protobuf/* built in). */
export function messageType(file: string, name: string): protobuf.Type {
  let root = roots.get(file);
  if (!root) {
    root = new protobuf.Root();
    root.resolvePath = (_origin, target) => (target.startsWith("google/protobuf/") ? target : PROTO_ROOT + target);
    root.loadSync(file, { keepCase: false });
    roots.set(file, root);
  }
  return root.lookupType(name);
}

export const hex = (bytes: Uint8Array | undefined) => (bytes && bytes.length ? Buffer.from(bytes).toString("hex") : undefined);
