/** Redis strings commands (to be filled in by the data-model work). */
import type { CommandSpec } from "../command.ts";

/** The strings command family. */
export const COMMANDS: CommandSpec[] = [];
