/**
 * What the counting proxy adds to a request: the same small read, sent directly to Polaris and through
 * the proxy, alternating one by one so that changes in the machine's load hit both sides alike.
 */
import { Pool } from "undici";
import { median } from "./stats";

export interface ProxyOverhead {
  requests: number;
  directMedianMs: number;
  proxiedMedianMs: number;
  /** The median over the pairs of (proxied - direct). */
  overheadMs: number;
}

async function timedRead(pool: Pool, headers: Record<string, string>): Promise<number> {
  const began = performance.now();
  const answer = await pool.request({ method: "GET", path: "/api/management/v1/principal-roles", headers });
  await answer.body.text();
  if (answer.statusCode !== 200) throw new Error(`GET principal-roles answered ${answer.statusCode}`);
  return performance.now() - began;
}

export async function measureProxyOverhead(
  direct: string,
  proxied: string,
  credentials: { realm: string; clientId: string; clientSecret: string },
  reads = 400,
): Promise<ProxyOverhead> {
  const directPool = new Pool(direct, { connections: 1 });
  const proxiedPool = new Pool(proxied, { connections: 1 });
  try {
    const answer = await directPool.request({
      method: "POST",
      path: "/api/catalog/v1/oauth/tokens",
      headers: { "content-type": "application/x-www-form-urlencoded", "polaris-realm": credentials.realm },
      body: new URLSearchParams({
        grant_type: "client_credentials",
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        scope: "PRINCIPAL_ROLE:ALL",
      }).toString(),
    });
    const token = ((await answer.body.json()) as { access_token: string }).access_token;
    const headers = { authorization: `Bearer ${token}`, "polaris-realm": credentials.realm };
    const directTimes: number[] = [];
    const proxiedTimes: number[] = [];
    // Alternating one by one; the first 20 pairs only warm the connections and the JIT.
    for (let index = 0; index < reads + 20; index++) {
      const direct = await timedRead(directPool, headers);
      const proxied = await timedRead(proxiedPool, headers);
      if (index >= 20) {
        directTimes.push(direct);
        proxiedTimes.push(proxied);
      }
    }
    const directMedianMs = median(directTimes);
    const proxiedMedianMs = median(proxiedTimes);
    return {
      requests: directTimes.length,
      directMedianMs,
      proxiedMedianMs,
      overheadMs: median(proxiedTimes.map((time, index) => time - directTimes[index]!)),
    };
  } finally {
    await Promise.all([directPool.close(), proxiedPool.close()]);
  }
}
