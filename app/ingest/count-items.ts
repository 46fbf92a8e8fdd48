/**
 * How many events a JSON batch holds, counted on the text without parsing it: the items of
 * a top-level array, or of the arrays one level inside a top-level object (`{"events":
 * [...]}`). Stops counting past `limit`. Parsing a body of 1.7 million `{}` only to refuse
 * it cost 150 MB and half a second; this costs one pass over the bytes and no memory.
 * Malformed text is counted as far as it goes; JSON.parse reports it afterwards.
 */
export function countBatchItems(text: string, limit: number): number {
  let depth = 0;
  let rootIsArray = false;
  let inString = false;
  let count = 0;
  let itemOpen = false; // the current array at event depth has an item in progress
  let eventArray = false; // the array being read is an event array
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // backslash: skip the escaped character
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x20 || ch === 0x0a || ch === 0x0d || ch === 0x09) continue;
    if (depth === 0 && (ch === 0x5b || ch === 0x7b)) rootIsArray = ch === 0x5b;
    const eventDepth = rootIsArray ? 1 : 2;
    if (ch === 0x5b || ch === 0x7b) {
      if (eventArray && depth === eventDepth && !itemOpen) {
        count++;
        itemOpen = true;
      }
      depth++;
      if (depth === eventDepth && ch === 0x5b) eventArray = true;
    } else if (ch === 0x5d || ch === 0x7d) {
      if (depth === eventDepth) eventArray = false;
      depth--;
    } else if (ch === 0x2c) {
      if (eventArray && depth === eventDepth) itemOpen = false;
    } else if (eventArray && depth === eventDepth && !itemOpen) {
      count++; // a scalar item: counted too, the schema refuses it later
      itemOpen = true;
    }
    if (ch === 0x22) inString = true;
    if (count > limit) return count;
  }
  return count;
}
