import { createSocket } from "node:dgram";

/**
 * A small authoritative DNS server over UDP on loopback, for the DNS check's tests: no DNS
 * server runs on these machines that a test could configure (the system resolver only
 * knows the npm registry). It speaks the real wire format (RFC 1035) to Node's real
 * resolver: A and TXT records from `zone`, NXDOMAIN for names not in it, an empty answer for
 * a type a name lacks.
 */
export async function startDnsServer(zone: Record<string, { A?: string[]; TXT?: string[] }>) {
  const socket = createSocket("udp4");
  socket.on("message", (query, peer) => {
    let at = 12;
    const labels: string[] = [];
    while (query[at]! > 0) {
      labels.push(query.subarray(at + 1, at + 1 + query[at]!).toString("ascii"));
      at += query[at]! + 1;
    }
    const questionEnd = at + 5;
    const type = query.readUInt16BE(at + 1);
    const records = zone[labels.join(".").toLowerCase()];
    const answers = !records ? [] : type === 1 ? (records.A ?? []).map(aRecord) : type === 16 ? (records.TXT ?? []).map(txtRecord) : [];
    const header = Buffer.alloc(12);
    header.writeUInt16BE(query.readUInt16BE(0), 0); // id
    header.writeUInt16BE(0x8400 | (records ? 0 : 3), 2); // response, authoritative, NOERROR or NXDOMAIN
    header.writeUInt16BE(1, 4);
    header.writeUInt16BE(answers.length, 6);
    socket.send(Buffer.concat([header, query.subarray(12, questionEnd), ...answers]), peer.port, peer.address);
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { address: `127.0.0.1:${socket.address().port}`, close: () => new Promise<void>((resolve) => socket.close(() => resolve())) };
}

/** An answer naming the question (a pointer to offset 12), its type, class IN, a TTL of 60 and the data. */
function answer(type: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.writeUInt16BE(0xc00c, 0);
  head.writeUInt16BE(type, 2);
  head.writeUInt16BE(1, 4);
  head.writeUInt32BE(60, 6);
  head.writeUInt16BE(data.length, 10);
  return Buffer.concat([head, data]);
}

const aRecord = (address: string) => answer(1, Buffer.from(address.split(".").map(Number)));
const txtRecord = (text: string) => answer(16, Buffer.concat([Buffer.from([text.length]), Buffer.from(text, "ascii")]));
