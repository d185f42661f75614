/** A number as the fixture format writes it: -0 kept, NaN and infinities as the strings Go's generator reads. */
export function fixtureNumber(x: number): string {
  if (Number.isNaN(x)) return '"NaN"';
  if (x === Infinity) return '"+Inf"';
  if (x === -Infinity) return '"-Inf"';
  if (Object.is(x, -0)) return '-0';
  return String(x);
}
