/**
 * The CDK app of the appvend service (`npx cdk synth`, `npx cdk deploy`): cdk.json runs it through
 * `scripts/cdk-app.mjs`, which bundles this file with esbuild first (no ts-node, no Docker).
 */
import { buildServiceApp } from './service';

buildServiceApp().app.synth();
