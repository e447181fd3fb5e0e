/** Postgres's unique_violation (23505), as postgres.js reports it directly or drizzle wraps it. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? (error as { cause?: { code?: string } }).cause?.code;
  return code === '23505';
}
