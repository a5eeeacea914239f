/**
 * The runs of characters a value leaves in base64 text wherever it starts: the encoding of a substring
 * depends on its offset modulo 3, so each offset gives one stable run (the first and last characters,
 * which also depend on the neighbouring bytes, are dropped). A secret hidden in base64 (a Kubernetes
 * Secret's data, a Basic authorization header) contains one of the three.
 */
export function base64Forms(value: string): string[] {
  const length = Buffer.byteLength(value);
  return [0, 1, 2].map((offset) => {
    const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(value)]).toString("base64");
    return encoded.slice(Math.ceil((offset * 4) / 3), Math.floor(((offset + length) * 4) / 3));
  });
}
