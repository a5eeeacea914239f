import { ArgumentError } from "./argument-error";

/** An `s3://bucket/prefix/` location, split into the parts that IAM policies are written from. */
export interface S3Location {
  /** The location as the user wrote it, e.g. "s3://warehouse-prod/warehouse/demo/". */
  readonly uri: string;
  /** The bucket's name. */
  readonly bucket: string;
  /** The key prefix: "" for the whole bucket, otherwise "a/b/" (no leading slash, one trailing slash). */
  readonly prefix: string;
}

// S3's rules for new general purpose buckets, minus the corner cases (IP-address shape, reserved suffixes)
// that S3 rejects with a clear message of its own.
const BUCKET_NAME = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

// Key segments are limited to S3's "safe characters" plus "=", "+", ",", "@" and "~". Anything else is
// refused rather than escaped, because the prefix is pasted into IAM ARNs and conditions, where "*", "?"
// and "${...}" are wildcards or policy variables that would silently widen the grant.
const KEY_SEGMENT = /^[A-Za-z0-9!_.'()=+,@~-]+$/;

/** Throws an ArgumentError when `name` (from argument `argument`) is not a valid S3 bucket name. */
export function checkBucketName(name: string, argument: string): void {
  if (!BUCKET_NAME.test(name) || name.includes("..")) {
    throw new ArgumentError(
      argument,
      `${argument} "${name}" is not a valid S3 bucket name: use 3-63 lower-case letters, digits, dots and dashes, ` +
        "starting and ending with a letter or digit",
    );
  }
}

/**
 * Checks a key prefix such as "warehouse/demo/" ("" for the whole bucket) and returns it. `show` renders
 * the prefix as the user wrote it (e.g. as a full s3:// URI) in messages.
 *
 * The trailing slash is required: IAM matches prefixes as plain strings, so "warehouse/demo" would also grant
 * "warehouse/demo2/".
 */
export function checkKeyPrefix(prefix: string, argument: string, show = (p: string) => p): string {
  if (prefix === "") return prefix;
  if (prefix.startsWith("/")) {
    throw new ArgumentError(
      argument,
      `${argument} "${show(prefix)}" starts with "/": S3 keys have no leading slash, ` +
        `write "${show(prefix.replace(/^\/+/, ""))}"`,
    );
  }
  if (!prefix.endsWith("/")) {
    throw new ArgumentError(
      argument,
      `${argument} "${show(prefix)}" must end with "/", otherwise it also covers every sibling that starts ` +
        `with the same characters ("${prefix}2/", "${prefix}-old/"): write "${show(`${prefix}/`)}"`,
    );
  }
  for (const segment of prefix.slice(0, -1).split("/")) {
    if (segment === "" || segment === "." || segment === "..") {
      throw new ArgumentError(
        argument,
        `${argument} "${show(prefix)}" has an empty, "." or ".." path segment: ` +
          'write the prefix without "//", "./" or "../"',
      );
    }
    if (!KEY_SEGMENT.test(segment)) {
      throw new ArgumentError(
        argument,
        `${argument} "${show(prefix)}" contains characters that IAM would read as wildcards or variables, ` +
          `or that need escaping ("${segment}"): use letters, digits and !_.'()=+,@~- only`,
      );
    }
  }
  return prefix;
}

/**
 * Parses `uri` (element `index` of argument `argument`) as an `s3://bucket/prefix/` location inside
 * `bucketName`.
 */
export function parseLocationInBucket(
  uri: string,
  bucketName: string,
  argument: string,
  index: number,
): S3Location {
  const label = `${argument}[${index}]`;
  const match = /^s3:\/\/([^/]*)\/(.*)$/.exec(uri);
  if (!match) {
    const hint = /^s3:\/\/[^/]*$/.test(uri)
      ? `end it with "/" ("${uri}/" is the whole bucket)`
      : /^[a-z0-9]+:\/\//i.test(uri)
        ? `write it with the s3:// scheme, e.g. "s3://${bucketName}/warehouse/"`
        : `write it as a full URI, e.g. "s3://${bucketName}/${uri.replace(/^\/+/, "") || "warehouse/"}"`;
    throw new ArgumentError(
      argument,
      `${label} "${uri}" is not an s3://<bucket>/<prefix>/ location: ${hint}`,
    );
  }
  const [, bucket = "", prefix = ""] = match;
  if (bucket !== bucketName) {
    throw new ArgumentError(
      argument,
      `${label} "${uri}" is outside the warehouse bucket "${bucketName}": every allowed location must be ` +
        `s3://${bucketName}/<prefix>/ (the catalog role is granted that bucket only)`,
    );
  }
  return { uri, bucket, prefix: checkKeyPrefix(prefix, label, (p) => `s3://${bucket}/${p}`) };
}

/**
 * Checks a catalog's allowed locations: at least one, each `s3://<bucketName>/<prefix>/`, none inside
 * another. Disjoint locations keep two grants from hiding each other and keep the policy readable.
 */
export function checkAllowedLocations(
  locations: readonly string[],
  bucketName: string,
  argument = "allowedLocations",
): S3Location[] {
  if (locations.length === 0) {
    throw new ArgumentError(
      argument,
      `${argument} is empty: give the catalog at least one location, e.g. ["s3://${bucketName}/warehouse/"]`,
    );
  }
  const parsed = locations.map((uri, index) => parseLocationInBucket(uri, bucketName, argument, index));
  for (const [i, outer] of parsed.entries()) {
    for (const [j, inner] of parsed.entries()) {
      if (i !== j && inner.prefix.startsWith(outer.prefix)) {
        const relation = inner.prefix === outer.prefix ? "is listed twice" : `contains "${inner.uri}"`;
        throw new ArgumentError(
          argument,
          `${argument} overlap: "${outer.uri}" ${relation}. Keep only "${outer.uri}", or use disjoint prefixes`,
        );
      }
    }
  }
  return parsed;
}
