/** Bad command-line input (an unknown scenario id, ...): `hil` exits 2 and says what was wrong. */
export class UsageError extends Error {
  override name = 'UsageError';
}
