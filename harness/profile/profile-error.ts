/** A target profile problem, reported before anything is sent to the device. */
export class ProfileError extends Error {
  constructor(
    readonly file: string,
    readonly issues: { path: string; message: string }[],
  ) {
    super(`invalid target profile ${file}:\n` + issues.map((i) => `  - ${i.path || '(root)'}: ${i.message}`).join('\n'));
    this.name = 'ProfileError';
  }
}

/** A secret the profile names is not set in the environment. */
export class MissingSecretError extends Error {
  constructor(
    readonly variable: string,
    readonly where: string,
  ) {
    super(`missing secret: environment variable ${variable} (used by ${where}) is not set`);
    this.name = 'MissingSecretError';
  }
}
