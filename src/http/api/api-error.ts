/** A request the API refuses: its status and one line naming the field and what was expected. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

export function badRequest(field: string, expected: string): ApiError {
  return new ApiError(400, `${field}: ${expected}`);
}

export function notFound(what: string): ApiError {
  return new ApiError(404, what);
}
