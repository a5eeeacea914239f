/**
 * The stack configuration that the dynamic-provider host hands to `configure()` once per provider process.
 * Kept here, free of Pulumi imports, so that entity modules can read it.
 */
export interface StackConfig {
  get(key: string): string | undefined;
}

let current: StackConfig | undefined;

export function setStackConfig(config: StackConfig | undefined): void {
  current = config;
}

export function stackConfig(): StackConfig | undefined {
  return current;
}
