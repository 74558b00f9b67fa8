// The ~2 KB record of the record-updates scenario: 24 fields of ~70 bytes plus `seq` and `t`, which every
// update changes (the counter and the publisher's send time; one logical field, "the tick").
export function baseDoc() {
  const doc = { title: "bench document", owner: "user-0001" };
  for (let i = 0; i < 24; i++) doc[`field${String(i).padStart(2, "0")}`] = `value ${i} `.padEnd(72, "abcdefghij");
  return doc;
}

export const docBytes = () => Buffer.byteLength(JSON.stringify({ ...baseDoc(), seq: 1, t: 12345678.123 }));
