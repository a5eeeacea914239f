import * as aws from "@pulumi/aws";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import type { Principal } from "../dynamic/principal";
import { type PersonaName, REFERENCE_PLATFORM } from "./reference";

/** Where principals' credentials go: a Kubernetes namespace, or AWS Secrets Manager. */
export type CredentialStore =
  | { readonly kind: "kubernetes"; readonly namespace: pulumi.Input<string> }
  | { readonly kind: "aws-secrets-manager" };

export interface PrincipalCredentialsArgs {
  /** The reference platform's principals (PolarisPlatform.principals). */
  readonly principals: Record<PersonaName, Principal>;
  readonly store: CredentialStore;
}

/**
 * Delivers each persona's client id and secret under its `secret_ref` name (src/platform/reference.ts),
 * the name floe's platform.yaml refers to: a Kubernetes Secret with keys `clientId` and `clientSecret`, or
 * an AWS Secrets Manager secret whose value is `{"clientId": ..., "clientSecret": ...}`. Values are Pulumi
 * secrets throughout; only the names are plain.
 */
export class PrincipalCredentials extends pulumi.ComponentResource {
  /** Per persona, where its credentials are: `<namespace>/<secret>` or the Secrets Manager secret's ARN. */
  readonly locations: pulumi.Output<Record<PersonaName, string>>;

  constructor(name: string, args: PrincipalCredentialsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("polaris-pulumi:platform:PrincipalCredentials", name, {}, opts);
    const locations: [PersonaName, pulumi.Output<string>][] = [];
    for (const persona of REFERENCE_PLATFORM.personas) {
      const principal = args.principals[persona.principal];
      const childName = `${name}-${persona.principal}`;
      const location =
        args.store.kind === "kubernetes"
          ? this.kubernetesSecret(childName, persona.secretRef, args.store.namespace, principal)
          : this.secretsManagerSecret(childName, persona.secretRef, persona.principal, principal);
      locations.push([persona.principal, location]);
    }
    this.locations = pulumi
      .all(locations.map(([, location]) => location))
      .apply(
        (values) =>
          Object.fromEntries(values.map((value, index) => [locations[index]![0], value])) as Record<
            PersonaName,
            string
          >,
      );
    this.registerOutputs({ locations: this.locations });
  }

  private kubernetesSecret(
    name: string,
    secretRef: string,
    namespace: pulumi.Input<string>,
    principal: Principal,
  ): pulumi.Output<string> {
    const secret = new k8s.core.v1.Secret(
      name,
      {
        metadata: {
          name: secretRef,
          namespace,
          labels: { "app.kubernetes.io/managed-by": "pulumi", "app.kubernetes.io/part-of": "polaris" },
        },
        type: "Opaque",
        stringData: {
          clientId: pulumi.secret(principal.clientId),
          clientSecret: pulumi.secret(principal.clientSecret),
        },
      },
      { parent: this },
    );
    return pulumi.interpolate`${secret.metadata.namespace}/${secret.metadata.name}`;
  }

  private secretsManagerSecret(
    name: string,
    secretRef: string,
    persona: PersonaName,
    principal: Principal,
  ): pulumi.Output<string> {
    const secret = new aws.secretsmanager.Secret(
      name,
      { name: secretRef, description: `Apache Polaris client credentials of the ${persona} principal` },
      { parent: this },
    );
    new aws.secretsmanager.SecretVersion(
      `${name}-value`,
      {
        secretId: secret.id,
        secretString: pulumi.secret(
          pulumi
            .all([principal.clientId, principal.clientSecret])
            .apply(([clientId, clientSecret]) => JSON.stringify({ clientId, clientSecret })),
        ),
      },
      { parent: this },
    );
    return secret.arn;
  }
}
