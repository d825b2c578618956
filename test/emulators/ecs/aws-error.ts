// An AWS JSON 1.1 error as the ECS emulator answers it (reference: shared/reference/apis.md §6).

/** Thrown by operation handlers; the front turns it into `{"__type","message"}` with its status. */
export class AwsError extends Error {
  readonly type: string;
  readonly status: number;

  constructor(type: string, message: string, status = type === 'ServerException' ? 500 : 400) {
    super(message);
    this.name = 'AwsError';
    this.type = type;
    this.status = status;
  }
}

export const clientError = (message: string) => new AwsError('ClientException', message);
export const invalidParameter = (message: string) => new AwsError('InvalidParameterException', message);
