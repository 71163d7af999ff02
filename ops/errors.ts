// The base of the project's errors that callers tell apart: a machine-readable `code` (each
// subclass narrows it to its own union) and `name` set to the subclass's name.
export class CodedError<C extends string> extends Error {
  constructor(
    readonly code: C,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}
