import { dirname, resolve } from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { CatalogRoleAssignment, PrincipalRoleAssignment } from "../dynamic/assignments";
import { Catalog, type CatalogConnectionArgs, type CatalogStorageArgs } from "../dynamic/catalog";
import { CatalogGrant, CatalogGrantSet, type GrantArgs } from "../dynamic/grants";
import type { PolarisConnectionArgs } from "../dynamic/management-resource";
import { Namespace } from "../dynamic/namespace";
import { Policy, PolicyAttachment, type PolicyTargetArgs, type PolicyTypeName } from "../dynamic/policy";
import { Principal } from "../dynamic/principal";
import { CatalogRole, PrincipalRole } from "../dynamic/roles";
import { type PlannedCatalog, planSetup, type SetupPlan } from "./plan";
import { parseSetupYaml, readSetupYamlFile } from "./read";

/** Arguments of {@link PolarisSetup}. Give exactly one of `file` and `yaml`. */
export interface PolarisSetupArgs {
  /** Path of a setup YAML file, the file `polaris setup apply` reads. @default none: give `yaml` */
  readonly file?: string;
  /** The setup YAML as text, such as one built by the program. @default none: give `file` */
  readonly yaml?: string;
  /**
   * Folder that policy `file:` entries are read from, as `setup apply` reads them from the YAML's folder.
   * @default the folder of `file`; the program's working directory for `yaml`
   */
  readonly baseDir?: string;
  /**
   * How every resource of the component reaches Polaris, as for each management resource: the URI and a
   * principal allowed to manage what the YAML declares (often `root`). The client secret is kept as a
   * Pulumi secret in state.
   * @default stack config: `polaris:uri`, `polaris:clientId`, secret `polaris:clientSecret`, optional `polaris:realm` and `polaris:scope`
   */
  readonly connection?: pulumi.Input<PolarisConnectionArgs>;
  /**
   * Take over entities that exist already, such as those `setup apply` made. They carry no ownership
   * marker, so Polaris answers each create with 409; the entity is then read and adopted when it matches the
   * YAML, and a mismatch fails that entity with what differs (bring the file or the server in line first).
   * An adopted entity gets the marker and belongs to the stack from then on: `pulumi destroy` deletes it.
   * Assignments, grants and attachments are taken over as they are, since Polaris makes them again without
   * complaint. Principals need `resetCredentialsOnAdopt` as well. Set false to fail on any entity that
   * exists already.
   * @default true
   */
  readonly adopt?: boolean;
  /**
   * Adopt existing principals by resetting their credentials: Polaris never returns an existing client
   * secret, so an adopted principal gets new credentials (in the `credentials` output), and those that
   * `setup apply` printed stop working. Without this, an existing principal fails the update with that
   * explanation.
   * @default false
   */
  readonly resetCredentialsOnAdopt?: boolean;
  /**
   * How each catalog role's privileges are declared. `"additive"`: one CatalogGrant per privilege, like
   * `setup apply`, which only adds; grants made elsewhere on the role are left alone. `"authoritative"`: one
   * CatalogGrantSet per role, which also revokes every grant on the role that the YAML does not list.
   * @default "additive"
   */
  readonly grants?: "additive" | "authoritative";
}

/** A principal's credentials, issued by Polaris when the principal is created (or its credentials reset). */
export interface PrincipalCredentials {
  /** The OAuth2 client id. */
  clientId: string;
  /** The OAuth2 client secret. */
  clientSecret: string;
}

/**
 * Declares what a `polaris setup` YAML describes, with this library's management resources, so that a
 * server set up with `polaris setup apply` moves to managed, converging state without retyping: principal
 * roles, principals and their roles, catalogs with their storage and federation, namespaces (and the parents
 * of nested ones), catalog roles with their assignments and privileges, policies and their attachments.
 *
 * The YAML is checked before any resource is registered; a problem fails the program with every key path
 * and its fix at once (see {@link readSetupYamlFile}). Built-in entities (`root`, `service_admin`,
 * `catalog_admin` and what Polaris grants them) are referenced, never declared, so the output of
 * `polaris setup export` works as it is. What the YAML holds that is not declared, such as table
 * privileges (which `setup apply` ignores as well), is logged as a warning and listed in `warnings`.
 *
 * Entities that exist are adopted (see `adopt`). A change to the YAML is a change to the stack: an entity
 * removed from it is deleted by the next `up`.
 *
 * @example
 * ```ts
 * const setup = new setupYaml.PolarisSetup("platform", { file: "setup.yaml", resetCredentialsOnAdopt: true });
 * export const credentials = setup.credentials;
 * ```
 */
export class PolarisSetup extends pulumi.ComponentResource {
  /** The declared catalogs, by name. */
  readonly catalogs: Record<string, Catalog> = {};
  /** The declared namespaces, per catalog, by dotted path (`sales.raw`); parents included. */
  readonly namespaces: Record<string, Record<string, Namespace>> = {};
  /** The declared principal roles, by name; `service_admin` is built in and not among them. */
  readonly principalRoles: Record<string, PrincipalRole> = {};
  /** The declared principals, by name; `root` is built in and not among them. */
  readonly principals: Record<string, Principal> = {};
  /** The declared catalog roles, per catalog, by name; `catalog_admin` is built in and not among them. */
  readonly catalogRoles: Record<string, Record<string, CatalogRole>> = {};
  /** The declared policies, per catalog, by name. */
  readonly policies: Record<string, Record<string, Policy>> = {};
  /** Client id and secret of each declared principal, by name; a Pulumi secret. */
  readonly credentials: pulumi.Output<Record<string, PrincipalCredentials>>;
  /** What the YAML holds that is not declared, one line each with its key path (also logged as warnings). */
  readonly warnings: string[];

  private readonly settings: Required<Pick<PolarisSetupArgs, "adopt" | "grants">> & {
    connection: PolarisSetupArgs["connection"];
  };

  /**
   * @param name The component's name; its resources are named after it, `<name>/<kind>/<entity>`.
   * @param args The YAML, and how to declare it.
   * @param opts Options of the component; the resources it declares are its children.
   */
  constructor(name: string, args: PolarisSetupArgs, opts?: pulumi.ComponentResourceOptions) {
    super("polaris-pulumi:setup:PolarisSetup", name, {}, opts);
    const plan = this.plan(args);
    this.settings = {
      adopt: args.adopt ?? true,
      grants: args.grants ?? "additive",
      connection: args.connection,
    };
    this.warnings = plan.warnings;
    for (const warning of plan.warnings) pulumi.log.warn(warning, this);

    const child = (kind: string, ...parts: string[]) => `${name}/${kind}/${parts.join("/")}`;
    const common = { connection: args.connection, adopt: this.settings.adopt };
    const parent = { parent: this };

    for (const role of plan.principalRoles) {
      this.principalRoles[role.name] = new PrincipalRole(
        child("principal-role", role.name),
        { ...common, name: role.name, properties: role.properties },
        parent,
      );
    }
    for (const principal of plan.principals) {
      this.principals[principal.name] = new Principal(
        child("principal", principal.name),
        {
          ...common,
          name: principal.name,
          properties: principal.properties,
          resetCredentialsOnAdopt: args.resetCredentialsOnAdopt ?? false,
        },
        parent,
      );
    }
    for (const { principal, principalRole } of plan.principalRoleAssignments) {
      new PrincipalRoleAssignment(
        child("principal-role-assignment", principal, principalRole),
        {
          connection: args.connection,
          principal: this.principals[principal]?.name ?? principal,
          principalRole: this.principalRoleName(principalRole),
        },
        parent,
      );
    }
    for (const catalog of plan.catalogs) this.declareCatalog(catalog, child);

    const people = Object.entries(this.principals);
    this.credentials = pulumi.secret(
      pulumi
        .all(people.map(([, principal]) => pulumi.all([principal.clientId, principal.clientSecret])))
        .apply((pairs) =>
          Object.fromEntries(
            pairs.map(([clientId, clientSecret], index) => [people[index]![0], { clientId, clientSecret }]),
          ),
        ),
    );
    this.registerOutputs({ credentials: this.credentials, warnings: this.warnings });
  }

  private plan(args: PolarisSetupArgs): SetupPlan {
    if ((args.file === undefined) === (args.yaml === undefined)) {
      throw new pulumi.ResourceError(
        "PolarisSetup needs exactly one of `file` (a path) and `yaml` (the text)",
        this,
      );
    }
    try {
      const source = args.file ?? "the setup YAML in `yaml`";
      const document =
        args.file !== undefined ? readSetupYamlFile(args.file) : parseSetupYaml(args.yaml!, source);
      const baseDir = args.baseDir ?? (args.file !== undefined ? dirname(resolve(args.file)) : process.cwd());
      return planSetup(document, { baseDir, source });
    } catch (error) {
      throw new pulumi.ResourceError((error as Error).message, this);
    }
  }

  /** A declared principal role's output (so assignments follow it), or the name of one made elsewhere. */
  private principalRoleName(name: string): pulumi.Input<string> {
    return this.principalRoles[name]?.name ?? name;
  }

  private declareCatalog(planned: PlannedCatalog, child: (kind: string, ...parts: string[]) => string) {
    const { connection, adopt } = this.settings;
    const parent = { parent: this };
    const catalog = new Catalog(
      child("catalog", planned.name),
      {
        connection,
        adopt,
        name: planned.name,
        type: planned.type,
        defaultBaseLocation: planned.defaultBaseLocation,
        properties: planned.properties,
        storage: planned.storage as unknown as CatalogStorageArgs,
        ...(planned.connectionConfig
          ? { connectionConfig: planned.connectionConfig as unknown as CatalogConnectionArgs }
          : {}),
      },
      parent,
    );
    this.catalogs[planned.name] = catalog;
    const inCatalog = { connection, catalog: catalog.name };

    const namespaces: Record<string, Namespace> = {};
    for (const { levels, properties } of planned.namespaces) {
      const path = levels.join(".");
      const above = namespaces[levels.slice(0, -1).join(".")];
      namespaces[path] = new Namespace(
        child("namespace", planned.name, path),
        {
          ...inCatalog,
          adopt,
          name: levels[levels.length - 1]!,
          properties,
          ...(above ? { parent: above } : {}),
        },
        parent,
      );
    }
    this.namespaces[planned.name] = namespaces;
    const namespaceDependency = (levels: string[] | undefined) => {
      const declared = levels ? namespaces[levels.join(".")] : undefined;
      return declared ? { ...parent, dependsOn: [declared] } : parent;
    };

    const roles: Record<string, CatalogRole> = {};
    for (const role of planned.catalogRoles) {
      roles[role.name] = new CatalogRole(
        child("catalog-role", planned.name, role.name),
        { ...inCatalog, adopt, name: role.name, properties: role.properties },
        parent,
      );
    }
    this.catalogRoles[planned.name] = roles;
    const roleName = (name: string) => roles[name]?.name ?? name;

    for (const { catalogRole, principalRole } of planned.assignments) {
      new CatalogRoleAssignment(
        child("catalog-role-assignment", planned.name, catalogRole, principalRole),
        {
          ...inCatalog,
          catalogRole: roleName(catalogRole),
          principalRole: this.principalRoleName(principalRole),
        },
        parent,
      );
    }
    this.declareGrants(planned, roleName, namespaces, child);

    const policies: Record<string, Policy> = {};
    for (const policy of planned.policies) {
      const home = namespaces[policy.namespace.join(".")];
      policies[policy.name] = new Policy(
        child("policy", planned.name, policy.namespace.join("."), policy.name),
        {
          ...inCatalog,
          adopt,
          namespace: home ?? policy.namespace,
          name: policy.name,
          type: policy.type as PolicyTypeName,
          content: policy.content,
          ...(policy.description !== undefined ? { description: policy.description } : {}),
        },
        parent,
      );
    }
    this.policies[planned.name] = policies;
    for (const { policy, target } of planned.attachments) {
      const where = target.type === "catalog" ? "catalog" : `${target.type}:${target.path.join(".")}`;
      const declaredTarget = target.type === "namespace" ? namespaces[target.path.join(".")] : undefined;
      new PolicyAttachment(
        child("policy-attachment", planned.name, policy, where),
        {
          connection,
          policy: policies[policy]!,
          target: declaredTarget ?? (target as PolicyTargetArgs),
        },
        target.type === "table-like" ? namespaceDependency(target.path.slice(0, -1)) : parent,
      );
    }
  }

  private declareGrants(
    planned: PlannedCatalog,
    roleName: (name: string) => pulumi.Input<string>,
    namespaces: Record<string, Namespace>,
    child: (kind: string, ...parts: string[]) => string,
  ) {
    const { connection } = this.settings;
    const grantTarget = (role: string) => ({
      connection,
      catalog: this.catalogs[planned.name]!.name,
      catalogRole: roleName(role),
    });
    // Namespace grants wait for the namespaces they name, when this YAML declares them.
    const following = (grants: GrantArgs[]) =>
      grants
        .map((grant) => namespaces[(grant.namespace ?? []).join(".")])
        .filter((ns): ns is Namespace => ns !== undefined);

    if (this.settings.grants === "authoritative") {
      const byRole = new Map<string, GrantArgs[]>();
      for (const { catalogRole, grant } of planned.grants)
        byRole.set(catalogRole, [...(byRole.get(catalogRole) ?? []), grant]);
      for (const [role, grants] of byRole) {
        new CatalogGrantSet(
          child("grants", planned.name, role),
          { ...grantTarget(role), grants },
          { parent: this, dependsOn: following(grants) },
        );
      }
      return;
    }
    for (const { catalogRole, grant } of planned.grants) {
      const id = [grant.type, ...(grant.namespace ? [grant.namespace.join(".")] : []), grant.privilege].join(
        ":",
      );
      new CatalogGrant(
        child("grant", planned.name, catalogRole, id),
        { ...grantTarget(catalogRole), grant },
        { parent: this, dependsOn: following([grant]) },
      );
    }
  }
}
