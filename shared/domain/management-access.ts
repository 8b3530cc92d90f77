/**
 * The roles of the AppvendManagementAccess stack, in the organization's management account, through
 * which the service's functions make the calls AWS allows only there (infra/service/management-access.ts).
 * The write role is for the workflow's steps; the read role for the functions that only read the
 * organization (the portal's dry run, the scheduled reconcile's plan): neither can do the other's work.
 */
export const MANAGEMENT_WRITE_ROLE_NAME = 'appvend-management-access';
export const MANAGEMENT_READ_ROLE_NAME = 'appvend-management-read';

/**
 * The variable that names the management role a process acts through (shared/aws/client-factory.ts);
 * unset, the process's own credentials make those calls (the CLI in the management account).
 */
export const MANAGEMENT_ROLE_ENV = 'APPVEND_MANAGEMENT_ROLE_ARN';
