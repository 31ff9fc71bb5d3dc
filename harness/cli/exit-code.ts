/** Sets the process exit code from inside a command's action (0 ok, 1 device findings, 2 error or bad usage). */
export type SetExitCode = (code: number) => void;
