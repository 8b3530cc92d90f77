import type { BundledDirectory } from './appvend-function';
import { BUNDLED_TEMPLATES_DIR } from './vended-templates-bundle';

/** What a function that plans vends (the portal's dry run, reconcile) compares with: the vend's own settings. */
export interface PlanProps {
  /** The synthesized vended templates, bundled beside the handler to compare digests. */
  templatesDir: string;
  securityTopicArn: string;
  parentOuId?: string;
  scpSizeQuota?: number;
  scpAttachmentQuota?: number;
  /** The roles the SCP exempts and protects, as the vend renders it. */
  memberRoleName: string;
  stackSetExecutionRoleName: string;
  accountQuota?: number;
  /** The management account (CallAs SELF there, DELEGATED_ADMIN elsewhere; plan.ts). */
  managementAccountId: string;
  /** `APPVEND_STACKSETS_MODE`, as the vend deploys; the handler's default (SELF_MANAGED) when unset. */
  stackSetsMode?: 'SELF_MANAGED' | 'SERVICE_MANAGED';
}

/** The variables of `PlanEnv` (shared/workflow/plan.ts), as the construct sets them. */
export interface PlanEnvironment {
  APPVEND_NOTIFICATION_TOPIC_ARN: string;
  APPVEND_TEMPLATES_DIR: string;
  APPVEND_PARENT_OU_ID?: string;
  APPVEND_SCP_SIZE_QUOTA?: string;
  APPVEND_SCP_ATTACHMENT_QUOTA?: string;
  APPVEND_MEMBER_ROLE: string;
  APPVEND_STACKSET_EXECUTION_ROLE_NAME: string;
  APPVEND_ACCOUNT_QUOTA?: string;
  APPVEND_MANAGEMENT_ACCOUNT_ID: string;
  APPVEND_STACKSETS_MODE?: string;
}

/**
 * The environment (`PlanEnv` in shared/workflow/plan.ts) and the bundled templates of a function
 * that plans; unset optional settings are left out, so the handler's defaults apply.
 */
export function planFunctionSettings(plan: PlanProps): {
  environment: PlanEnvironment;
  bundledDirectories: BundledDirectory[];
} {
  const optional = {
    APPVEND_PARENT_OU_ID: plan.parentOuId,
    APPVEND_SCP_SIZE_QUOTA: plan.scpSizeQuota?.toString(),
    APPVEND_SCP_ATTACHMENT_QUOTA: plan.scpAttachmentQuota?.toString(),
    APPVEND_ACCOUNT_QUOTA: plan.accountQuota?.toString(),
    APPVEND_STACKSETS_MODE: plan.stackSetsMode,
  };
  return {
    environment: {
      APPVEND_NOTIFICATION_TOPIC_ARN: plan.securityTopicArn,
      APPVEND_TEMPLATES_DIR: BUNDLED_TEMPLATES_DIR,
      APPVEND_MEMBER_ROLE: plan.memberRoleName,
      APPVEND_STACKSET_EXECUTION_ROLE_NAME: plan.stackSetExecutionRoleName,
      APPVEND_MANAGEMENT_ACCOUNT_ID: plan.managementAccountId,
      ...Object.fromEntries(
        Object.entries(optional).filter((entry): entry is [string, string] => entry[1] !== undefined),
      ),
    },
    bundledDirectories: [{ from: plan.templatesDir, to: BUNDLED_TEMPLATES_DIR }],
  };
}
