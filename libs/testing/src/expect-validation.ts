/** Asserts a 422 in the error shape whose details name `path` (jest's global expect). */
export function expectValidation(answer: { status: number; body: unknown }, path: string): void {
  expect(answer.status).toBe(422);
  expect(answer.body).toMatchObject({ status_code: 422, error: 'validation_failed' });
  expect((answer.body as { details?: unknown }).details).toEqual(expect.arrayContaining([expect.objectContaining({ path })]));
}
