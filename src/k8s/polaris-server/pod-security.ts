import type * as k8s from "@pulumi/kubernetes";

type PodSecurityContext = k8s.types.input.core.v1.PodSecurityContext;
type SecurityContext = k8s.types.input.core.v1.SecurityContext;
type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

// A fixed non-root identity: the "restricted" Pod Security Standard rejects uid 0, and a numeric uid lets the
// kubelet enforce runAsNonRoot without trusting the image's USER line. Files mounted from Secrets and
// ConfigMaps are group-owned by fsGroup, so the server can read them with a 0440 mode.
export const POLARIS_UID = 10000;
export const POLARIS_GID = 10001;

/** Pod-level settings that satisfy the Kubernetes "restricted" Pod Security Standard. */
export function restrictedPodSecurityContext(): PodSecurityContext {
  return {
    runAsNonRoot: true,
    runAsUser: POLARIS_UID,
    runAsGroup: POLARIS_GID,
    fsGroup: POLARIS_GID,
    seccompProfile: { type: "RuntimeDefault" },
  };
}

/** Container-level settings that satisfy the "restricted" standard, with an immutable root filesystem. */
export function restrictedContainerSecurityContext(): SecurityContext {
  return {
    runAsNonRoot: true,
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    privileged: false,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
  };
}

// The JVM and Quarkus write temporary files (JIT/perf data, multipart uploads); with a read-only root
// filesystem they need a writable /tmp, bounded so a runaway writer cannot fill the node's disk.
const TMP_VOLUME_NAME = "tmp";

export const tmpVolume: Volume = { name: TMP_VOLUME_NAME, emptyDir: { sizeLimit: "256Mi" } };
export const tmpVolumeMount: VolumeMount = { name: TMP_VOLUME_NAME, mountPath: "/tmp" };
