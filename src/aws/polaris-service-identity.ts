import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ArgumentError } from "./argument-error";
import {
  catalogRoleArnPattern,
  catalogRoleAssumerPolicy,
  issuerOfOidcProviderArn,
  POLARIS_IDENTITY_PATH,
  serviceAccountTrustPolicy,
} from "./policies";
import { validated } from "./validated";

/** Arguments of {@link PolarisServiceIdentity}. */
export interface PolarisServiceIdentityArgs {
  /**
   * ARN of the EKS cluster's IAM OIDC provider, e.g.
   * `arn:aws:iam::123456789012:oidc-provider/oidc.eks.eu-west-1.amazonaws.com/id/ABC123`.
   */
  readonly oidcProviderArn: pulumi.Input<string>;
  /**
   * The provider's issuer URL; a leading "https://" is ignored.
   * @default read from `oidcProviderArn`, whose last part is the issuer
   */
  readonly oidcProviderUrl?: pulumi.Input<string>;
  /** Kubernetes namespace of Polaris' service account. @default "polaris" */
  readonly namespace?: pulumi.Input<string>;
  /** Name of Polaris' Kubernetes service account. @default "polaris" */
  readonly serviceAccountName?: pulumi.Input<string>;
  /** The role's IAM description. @default "Apache Polaris (IRSA): assumes catalog storage roles under /polaris/catalog/ to vend credentials" */
  readonly description?: pulumi.Input<string>;
}

/**
 * The AWS identity of the Polaris server: an IRSA role that only Polaris' Kubernetes service account can
 * assume, and whose only permission is to assume (and tag) catalog storage roles, i.e. roles under the IAM
 * path `/polaris/catalog/` of this account. Adding a catalog (a `CatalogStorageRole`) never edits it.
 *
 * Vended credentials are role-chained (this role, then a catalog role); AWS caps chained sessions at one
 * hour, so vended credentials never outlive 3600 seconds.
 */
export class PolarisServiceIdentity extends pulumi.ComponentResource {
  /** The IAM role, under the path `/polaris/`. */
  readonly role: aws.iam.Role;
  /** The role's ARN: PolarisServer's `roleArn` and every CatalogStorageRole's `polarisRoleArn`. */
  readonly roleArn: pulumi.Output<string>;
  /** The role's name. */
  readonly roleName: pulumi.Output<string>;
  /** The roles this identity may assume: `arn:<partition>:iam::<account>:role/polaris/catalog/*`. */
  readonly catalogRoleArnPattern: pulumi.Output<string>;
  /** Annotations for Polaris' service account (`eks.amazonaws.com/role-arn`). */
  readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: PolarisServiceIdentityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("polaris:aws:PolarisServiceIdentity", name, {}, opts);

    // Checked at once when the ARN is a plain string; an Output is checked when its value arrives.
    const issuerOf = (arn: string) =>
      validated(this, () => {
        const issuer = issuerOfOidcProviderArn(arn);
        if (issuer === undefined) {
          throw new ArgumentError(
            "oidcProviderArn",
            `oidcProviderArn "${arn}" is not an IAM OIDC provider ARN ` +
              "(arn:aws:iam::<account>:oidc-provider/<issuer>): pass the cluster's aws.iam.OpenIdConnectProvider arn",
          );
        }
        return issuer;
      });
    if (typeof args.oidcProviderArn === "string") issuerOf(args.oidcProviderArn);

    const issuer =
      args.oidcProviderUrl === undefined
        ? pulumi.output(args.oidcProviderArn).apply(issuerOf)
        : pulumi.output(args.oidcProviderUrl).apply((url) => url.replace(/^https:\/\//, ""));

    const assumeRolePolicy = pulumi
      .all([args.oidcProviderArn, issuer, args.namespace ?? "polaris", args.serviceAccountName ?? "polaris"])
      .apply(([oidcProviderArn, issuerHost, namespace, serviceAccountName]) =>
        JSON.stringify(
          serviceAccountTrustPolicy({ oidcProviderArn, issuer: issuerHost, namespace, serviceAccountName }),
        ),
      );

    this.role = new aws.iam.Role(
      `${name}-role`,
      {
        path: POLARIS_IDENTITY_PATH,
        assumeRolePolicy,
        description:
          args.description ??
          "Apache Polaris (IRSA): assumes catalog storage roles under /polaris/catalog/ to vend credentials",
      },
      { parent: this },
    );

    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const accountId = aws.getCallerIdentityOutput({}, { parent: this }).accountId;
    new aws.iam.RolePolicy(
      `${name}-assume-catalog-roles`,
      {
        role: this.role.id, // an IAM role's id is its name
        policy: pulumi
          .all([partition, accountId])
          .apply(([p, account]) => JSON.stringify(catalogRoleAssumerPolicy(p, account))),
      },
      { parent: this },
    );

    this.roleArn = this.role.arn;
    this.roleName = this.role.name;
    this.catalogRoleArnPattern = pulumi
      .all([partition, accountId])
      .apply(([p, account]) => catalogRoleArnPattern(p, account));
    this.serviceAccountAnnotations = this.role.arn.apply(
      (arn): Record<string, string> => ({ "eks.amazonaws.com/role-arn": arn }),
    );

    this.registerOutputs({
      roleArn: this.roleArn,
      roleName: this.roleName,
      catalogRoleArnPattern: this.catalogRoleArnPattern,
      serviceAccountAnnotations: this.serviceAccountAnnotations,
    });
  }
}
