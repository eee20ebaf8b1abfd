/** zod error for a string field: "EXPECTED, got INPUT"; a missing field keeps zod's own message, which plain() reads. */
export function notA(expected: string) {
  return (iss: { input?: unknown }) =>
    iss.input === undefined ? undefined : `${expected}, got ${JSON.stringify(iss.input)}`;
}
