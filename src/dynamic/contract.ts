/**
 * The shapes that an implementation module returns to its dynamic provider shell.
 *
 * They mirror `pulumi.dynamic` results but are declared here, so that implementation modules stay free of
 * any Pulumi import: they can be unit-tested without the engine and could back a native provider later.
 */

/** A property that failed validation; `property` names the input the user must fix. */
export interface CheckFailure {
  property: string;
  reason: string;
}

export interface CheckResult<Inputs> {
  inputs?: Inputs;
  failures?: CheckFailure[];
}

export interface DiffResult {
  changes?: boolean;
  replaces?: string[];
  stables?: string[];
  deleteBeforeReplace?: boolean;
}

export interface CreateResult<Outputs> {
  id: string;
  outs?: Outputs;
}

export interface ReadResult<Outputs> {
  /** An empty or missing id tells the engine that the entity is gone. */
  id?: string;
  props?: Outputs;
}

export interface UpdateResult<Outputs> {
  outs?: Outputs;
}

/** The operations an implementation module exports, all plain async functions. */
export interface ProviderImplementation<Inputs, Outputs> {
  check?(olds: Inputs, news: Inputs): Promise<CheckResult<Inputs>>;
  diff?(id: string, olds: Outputs, news: Inputs): Promise<DiffResult>;
  create(inputs: Inputs): Promise<CreateResult<Outputs>>;
  read?(id: string, props: Outputs): Promise<ReadResult<Outputs>>;
  update?(id: string, olds: Outputs, news: Inputs): Promise<UpdateResult<Outputs>>;
  delete?(id: string, props: Outputs): Promise<void>;
}
