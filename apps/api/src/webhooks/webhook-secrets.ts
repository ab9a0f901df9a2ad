import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { ServiceUnavailable } from '../common/http/errors.js';
import { secretAad, SecretsCipher, SecretsNotConfiguredError } from '../secrets/crypto/secrets-cipher.js';

const aad = (endpointId: string) => secretAad('webhook', endpointId, 'secret');

/** Seals and opens endpoint secrets (SECRETS_KEYS); without the keys webhooks answer 503 naming the variable. */
@Injectable()
export class WebhookSecrets {
  private cipher: SecretsCipher | null = null;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  seal(endpointId: string, secret: string): string {
    return this.get().encrypt(secret, aad(endpointId));
  }

  open(endpointId: string, sealed: string): string {
    return this.get().decrypt(sealed, aad(endpointId)).reveal();
  }

  private get(): SecretsCipher {
    if (this.cipher) return this.cipher;
    try {
      return (this.cipher = new SecretsCipher(this.config.secrets.keys));
    } catch (e) {
      if (e instanceof SecretsNotConfiguredError) throw new ServiceUnavailable(e.message);
      throw e;
    }
  }
}
