/** One `lab` subcommand. `run` returns the exit code: 0 ok, 1 a check failed, 2 bad input or environment. */
export interface LabCommand {
  name: string;
  summary: string;
  run(argv: string[]): Promise<number>;
}
