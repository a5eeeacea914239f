import { PolicyPack } from "@pulumi/policy";
import { policies } from "./pack";

// The entry point that `pulumi preview --policy-pack <package>/policy` loads (see policy/index.js).
new PolicyPack("polaris-pulumi", { policies: policies() });
