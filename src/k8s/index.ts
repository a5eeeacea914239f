export * from "./local-s3-storage";
export * from "./polaris-server";
