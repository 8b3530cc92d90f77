/**
 * CDK (2.276) validates every synthesized template with its built-in CloudFormation engine unless
 * CDK_VALIDATION is "false". That engine is a WebAssembly module compiled anew by each suite that
 * synthesizes an app (jest gives every suite its own module registry), seconds per suite, and what
 * it finds is only printed: without the `validateAgainstDefaultRules` flag its errors are reported
 * as warnings and never fail the synth. The templates' blocking check in the tests is cfn-lint
 * (test/templates/helpers.ts); the built-in engine still runs where its warnings are seen, on
 * `npm run build` (the vended templates) and `cdk synth`.
 */
process.env.CDK_VALIDATION ??= 'false';
