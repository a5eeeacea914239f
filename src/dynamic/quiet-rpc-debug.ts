/**
 * @pulumi/pulumi logs every RegisterResource/ReadResource/Invoke response at debug level, and those
 * responses hold secret outputs (a Principal's client secret) in plain text. The engine passes debug
 * messages on to `pulumi up --json`, so the secret would land in CI logs. This keeps each message but cuts
 * the response out of it. It is installed once, when a management resource class is loaded.
 */
const RESPONSE = /(RPC finished: .*?), resp: [\s\S]*$/;

interface LogModule {
  debug(message: string, ...rest: unknown[]): Promise<void>;
  __polarisPulumiQuiet?: boolean;
}

export function quietRpcDebug(): void {
  // The SDK's modules call `log.debug` through this module object, so replacing the property reaches them.
  const log = require("@pulumi/pulumi/log") as LogModule;
  if (log.__polarisPulumiQuiet) return;
  const original = log.debug.bind(log);
  log.debug = (message, ...rest) => original(message.replace(RESPONSE, "$1, resp: <omitted>"), ...rest);
  log.__polarisPulumiQuiet = true;
}
