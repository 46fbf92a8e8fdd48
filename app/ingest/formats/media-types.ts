// The media types the ingest formats read, declared once: the formats pick bodies by them,
// and the intake picks the early event counter by them.

const JSON_MEDIA_TYPE = /^application\/([\w.+-]+\+)?json$/;
const NDJSON_MEDIA_TYPES = new Set(["application/x-ndjson", "application/ndjson", "application/jsonl", "application/x-jsonlines", "application/jsonlines"]);
const PROTOBUF_MEDIA_TYPES = new Set(["application/x-protobuf", "application/protobuf"]);
/** OTLP/JSON shares the JSON media type; its body is an object whose one key is resourceLogs. */
const OTLP_JSON_HEAD = /^\s*\{\s*"resourceLogs"\s*:/;

export const isJson = (mediaType: string) => JSON_MEDIA_TYPE.test(mediaType);
export const isNdjson = (mediaType: string) => NDJSON_MEDIA_TYPES.has(mediaType);
export const isProtobuf = (mediaType: string) => PROTOBUF_MEDIA_TYPES.has(mediaType);
export const looksLikeOtlpJson = (head: string) => OTLP_JSON_HEAD.test(head);
