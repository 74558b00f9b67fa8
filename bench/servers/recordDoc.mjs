// The ~2 KB record of the record-updates scenario: 24 fields of ~70 bytes plus `seq` and `t`, which every
// update changes (the counter and the publisher's send time; one logical field, "the tick").
const BASE = { title: "bench document", owner: "user-0001" };
for (let i = 0; i < 24; i++) BASE[`field${String(i).padStart(2, "0")}`] = `value ${i} `.padEnd(72, "abcdefghij");

/** The record's value carrying the publisher's `{ seq, t }`. */
export const recordValue = ({ seq, t }) => ({ ...BASE, seq, t });

/** The size of the record's value as JSON text. */
export const docBytes = () => Buffer.byteLength(JSON.stringify(recordValue({ seq: 1, t: 12345678.123 })));
