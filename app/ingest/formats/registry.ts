import type { IngestFormat } from "./format.ts";
import { nativeJson } from "./native-json.ts";

/** Every format the intake reads, tried in order by media type. */
const FORMATS: readonly IngestFormat[] = [nativeJson];

/** The format for a Content-Type header, or undefined when none reads it. */
export function formatFor(contentType: string | undefined): IngestFormat | undefined {
  const mediaType = (contentType ?? "").split(";")[0]!.trim().toLowerCase();
  return FORMATS.find((f) => f.mediaTypes(mediaType));
}

export const acceptedMediaTypes = () => FORMATS.map((f) => f.name).join(", ");
