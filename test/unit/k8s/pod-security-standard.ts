// The checks of the Kubernetes "restricted" Pod Security Standard (which includes "baseline"), as the
// admission controller applies them to a pod spec. Returns one line per violation, empty when the pod
// would be admitted into a namespace that enforces "restricted".

// biome-ignore lint/suspicious/noExplicitAny: pod specs come from recorded inputs (untyped JSON).
type Json = any;

const RESTRICTED_VOLUME_TYPES = new Set([
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "persistentVolumeClaim",
  "projected",
  "secret",
]);
const SAFE_SYSCTLS = new Set([
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports",
  "net.ipv4.tcp_keepalive_time",
  "net.ipv4.tcp_fin_timeout",
  "net.ipv4.tcp_keepalive_intvl",
  "net.ipv4.tcp_keepalive_probes",
]);

export function restrictedViolations(pod: Json): string[] {
  const violations: string[] = [];
  const podContext = pod.securityContext ?? {};
  for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
    if (pod[field] === true) violations.push(`pod: ${field} is true`);
  }
  for (const volume of pod.volumes ?? []) {
    const types = Object.keys(volume).filter((key) => key !== "name");
    for (const type of types) {
      if (!RESTRICTED_VOLUME_TYPES.has(type))
        violations.push(`volume ${volume.name}: type ${type} not allowed`);
    }
  }
  for (const sysctl of podContext.sysctls ?? []) {
    if (!SAFE_SYSCTLS.has(sysctl.name)) violations.push(`pod: sysctl ${sysctl.name} is not safe`);
  }
  if (podContext.runAsUser === 0) violations.push("pod: runAsUser is 0");

  const containers: Json[] = [
    ...(pod.initContainers ?? []),
    ...(pod.containers ?? []),
    ...(pod.ephemeralContainers ?? []),
  ];
  for (const container of containers) {
    const context = container.securityContext ?? {};
    const where = `container ${container.name}`;
    if (context.privileged === true) violations.push(`${where}: privileged`);
    if (context.allowPrivilegeEscalation !== false) {
      violations.push(`${where}: allowPrivilegeEscalation is not false`);
    }
    if (!(context.capabilities?.drop ?? []).includes("ALL"))
      violations.push(`${where}: capabilities do not drop ALL`);
    for (const added of context.capabilities?.add ?? []) {
      if (added !== "NET_BIND_SERVICE") violations.push(`${where}: adds capability ${added}`);
    }
    if ((context.runAsNonRoot ?? podContext.runAsNonRoot) !== true) {
      violations.push(`${where}: runAsNonRoot is not true`);
    }
    if (context.runAsUser === 0) violations.push(`${where}: runAsUser is 0`);
    const seccomp = context.seccompProfile?.type ?? podContext.seccompProfile?.type;
    if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") {
      violations.push(`${where}: seccompProfile is ${seccomp ?? "unset"}`);
    }
    if (context.procMount !== undefined && context.procMount !== "Default") {
      violations.push(`${where}: procMount ${context.procMount}`);
    }
    for (const port of container.ports ?? []) {
      if (port.hostPort !== undefined && port.hostPort !== 0)
        violations.push(`${where}: hostPort ${port.hostPort}`);
    }
  }
  return violations;
}
