import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';

import { LEDGER_KEY, LEDGER_TABLE_NAME } from '../../shared/ledger/record';

export { LEDGER_TABLE_NAME };

/**
 * The ledger: one item per application, written with conditions so that the three doors agree on
 * one vend per application. Encrypted, point-in-time recovery on, kept when the stack is deleted.
 */
export class LedgerTable extends Construct {
  public readonly table: Table;

  public constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      tableName: LEDGER_TABLE_NAME,
      partitionKey: { name: LEDGER_KEY, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
