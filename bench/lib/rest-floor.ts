/**
 * The REST floor: the fewest calls that build a workload from empty (one token, then one write per entity,
 * grant and assignment), over one keep-alive pool, by `concurrency` workers that respect the dependencies
 * (the catalog before its namespaces, a parent before its children, roles before their grants and
 * assignments). Nothing any client could skip, so no tool can be faster against the same server.
 */
import { Pool } from "undici";
import type { Workload } from "./workload";

interface Call {
  id: string;
  dependsOn: string[];
  method: "POST" | "PUT";
  path: string;
  body: unknown;
}

const segment = encodeURIComponent;
const management = "/api/management/v1";

export function floorCalls(workload: Workload): Call[] {
  const catalog = workload.catalog.name;
  const calls: Call[] = [];
  const add = (call: Call) => calls.push(call);
  for (const role of workload.principalRoles) {
    add({
      id: `principal-role:${role}`,
      dependsOn: [],
      method: "POST",
      path: `${management}/principal-roles`,
      body: { principalRole: { name: role } },
    });
  }
  for (const principal of workload.principals) {
    add({
      id: `principal:${principal.name}`,
      dependsOn: [],
      method: "POST",
      path: `${management}/principals`,
      body: { principal: { name: principal.name } },
    });
    for (const role of principal.principalRoles) {
      add({
        id: `principal-assignment:${principal.name}:${role}`,
        dependsOn: [`principal:${principal.name}`, `principal-role:${role}`],
        method: "PUT",
        path: `${management}/principals/${segment(principal.name)}/principal-roles`,
        body: { principalRole: { name: role } },
      });
    }
  }
  add({
    id: "catalog",
    dependsOn: [],
    method: "POST",
    path: `${management}/catalogs`,
    body: {
      catalog: {
        type: "INTERNAL",
        name: catalog,
        properties: { "default-base-location": workload.catalog.defaultBaseLocation },
        storageConfigInfo: workload.catalog.storage,
      },
    },
  });
  for (const namespace of workload.namespaces) {
    const parent = namespace.levels.slice(0, -1);
    add({
      id: `namespace:${namespace.levels.join(".")}`,
      dependsOn: parent.length > 0 ? [`namespace:${parent.join(".")}`] : ["catalog"],
      method: "POST",
      path: `/api/catalog/v1/${segment(catalog)}/namespaces`,
      body: { namespace: namespace.levels, properties: namespace.properties ?? {} },
    });
  }
  for (const role of workload.catalogRoles) {
    const rolePath = `${management}/catalogs/${segment(catalog)}/catalog-roles`;
    add({
      id: `catalog-role:${role.name}`,
      dependsOn: ["catalog"],
      method: "POST",
      path: rolePath,
      body: { catalogRole: { name: role.name } },
    });
    for (const principalRole of role.assignedTo) {
      const builtIn = principalRole === "service_admin";
      add({
        id: `catalog-assignment:${role.name}:${principalRole}`,
        dependsOn: [`catalog-role:${role.name}`, ...(builtIn ? [] : [`principal-role:${principalRole}`])],
        method: "PUT",
        path: `${management}/principal-roles/${segment(principalRole)}/catalog-roles/${segment(catalog)}`,
        body: { catalogRole: { name: role.name } },
      });
    }
    role.grants.forEach((grant, index) => {
      add({
        id: `grant:${role.name}:${index}`,
        dependsOn: [
          `catalog-role:${role.name}`,
          ...(grant.namespace ? [`namespace:${grant.namespace.join(".")}`] : []),
        ],
        method: "PUT",
        path: `${rolePath}/${segment(role.name)}/grants`,
        body: { grant },
      });
    });
  }
  return calls;
}

/** Runs `calls` with at most `concurrency` in flight, each once all it depends on has succeeded. */
function runGraph(calls: Call[], concurrency: number, send: (call: Call) => Promise<void>): Promise<void> {
  const waitingOn = new Map(calls.map((call) => [call.id, call.dependsOn.length]));
  const dependents = new Map<string, Call[]>();
  for (const call of calls) {
    for (const dependency of call.dependsOn) {
      if (!waitingOn.has(dependency))
        throw new Error(`${call.id} depends on ${dependency}, which no call makes`);
      dependents.set(dependency, [...(dependents.get(dependency) ?? []), call]);
    }
  }
  const ready = calls.filter((call) => call.dependsOn.length === 0);
  let running = 0;
  let done = 0;
  return new Promise((resolve, reject) => {
    const pump = () => {
      if (done === calls.length) resolve();
      while (running < concurrency && ready.length > 0) {
        const call = ready.shift()!;
        running++;
        send(call).then(() => {
          running--;
          done++;
          for (const next of dependents.get(call.id) ?? []) {
            const left = waitingOn.get(next.id)! - 1;
            waitingOn.set(next.id, left);
            if (left === 0) ready.push(next);
          }
          pump();
        }, reject);
      }
    };
    pump();
  });
}

export interface FloorConnection {
  uri: string;
  realm: string;
  clientId: string;
  clientSecret: string;
}

export async function runFloor(
  connection: FloorConnection,
  workload: Workload,
  concurrency: number,
): Promise<void> {
  const pool = new Pool(connection.uri, { connections: concurrency });
  try {
    const tokenAnswer = await pool.request({
      method: "POST",
      path: "/api/catalog/v1/oauth/tokens",
      headers: { "content-type": "application/x-www-form-urlencoded", "polaris-realm": connection.realm },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: connection.clientId,
        client_secret: connection.clientSecret,
        scope: "PRINCIPAL_ROLE:ALL",
      }).toString(),
    });
    const token = ((await tokenAnswer.body.json()) as { access_token?: string }).access_token;
    if (tokenAnswer.statusCode !== 200 || !token)
      throw new Error(`token request answered ${tokenAnswer.statusCode}`);
    const headers = {
      authorization: `Bearer ${token}`,
      "content-type": "application/json",
      "polaris-realm": connection.realm,
    };
    await runGraph(floorCalls(workload), concurrency, async (call) => {
      const answer = await pool.request({
        method: call.method,
        path: call.path,
        headers,
        body: JSON.stringify(call.body),
      });
      const text = await answer.body.text();
      if (answer.statusCode >= 300) {
        throw new Error(
          `${call.method} ${call.path} (${call.id}) answered ${answer.statusCode}: ${text.slice(0, 300)}`,
        );
      }
    });
  } finally {
    await pool.close();
  }
}
