import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { SFNClient } from '@aws-sdk/client-sfn';
import { configureAws, ownAccountClient } from '../../shared/aws/client-factory';

describe('Function: ownAccountClient', () => {
  afterEach(() => configureAws({}));

  it('makes one client per class and settings, configured as the factory would', async () => {
    // Prepare
    configureAws({ region: 'eu-west-1', endpoint: 'http://127.0.0.1:5999' });

    // Act
    const first = ownAccountClient(SFNClient);
    const again = ownAccountClient(SFNClient);
    configureAws({ region: 'eu-central-1' });
    const afterReconfiguring = ownAccountClient(SFNClient);

    // Assess
    expect(again).toBe(first);
    expect(await first.config.region()).toBe('eu-west-1');
    expect(afterReconfiguring).not.toBe(first);
    expect(await afterReconfiguring.config.region()).toBe('eu-central-1');
  });

  it('refuses a management-only service, which must go through the management role', () => {
    expect(() => ownAccountClient(OrganizationsClient)).toThrow(
      'Organizations is a management service: use managementClient',
    );
  });
});
