/**
 * Redis scripting for the RESP server: the Lua engine (EVAL, SCRIPT), Redis functions
 * (FUNCTION, FCALL) and their error texts.
 * @module
 */

export {
  type CompiledScript,
  type EngineOptions,
  type Library,
  type RunKind,
  type ScriptBridge,
  ScriptEngine,
  type ScriptFlag,
} from "./engine.ts";
export { SCRIPT_ERRORS } from "./errors.ts";
export { type LogLevel, REDIS_VERSION, sha1hex } from "./redis_api.ts";
