import { TARGET_NAME_PATTERN } from '../domain/model.js';
import { type Problems, show } from './problems.js';

/** The rules for the names a configuration holds: targets, IAM users, secrets, SSM parameters, e-mail. */

// IAM user names: letters, digits and +=,.@_- ; 1-64 characters.
const IAM_USER_NAME = /^[\w+=,.@-]{1,64}$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}$/;
// SSM parameter names: a hierarchy starting with '/', letters, digits and _.-/ (1011 characters at most).
const SSM_PARAMETER_NAME = /^\/[A-Za-z0-9_.\-/]{1,1010}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** `name`'s own rule is the domain's (every configured name must be able to travel between steps). */
export function targetName(value: string, path: string, problems: Problems): string | undefined {
  if (TARGET_NAME_PATTERN.test(value)) return value;
  problems.add(
    path,
    `is ${show(value)}: use 1-128 letters, digits, ".", "_", ":" or "-", starting with a letter or digit`,
  );
  return undefined;
}

export function iamUserName(value: string, path: string, problems: Problems): string | undefined {
  if (IAM_USER_NAME.test(value)) return value;
  problems.add(path, `is ${show(value)}, not an IAM user name: use 1-64 letters, digits or +=,.@_-`);
  return undefined;
}

// IAM paths: "/" or "/" + printable ASCII segments + "/", 512 characters at most.
const IAM_PATH = /^\/(?:[\x21-\x2E\x30-\x7E]+\/)*$/;

/** An IAM user's path (`/ci/`): its ARN is `arn:…:user{path}{name}`, which the policies must name exactly. */
export function iamUserPath(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === 'string' && value.length <= 512 && IAM_PATH.test(value)) return value;
  problems.add(
    path,
    `is ${show(value)}, not an IAM path: use "/" or segments between slashes, e.g. "/ci/" (see the user's ARN)`,
  );
  return undefined;
}

/** A Secrets Manager secret name, or its full ARN. */
export function secretId(value: string, path: string, problems: Problems): string | undefined {
  if (value.startsWith('arn:')) {
    if (SECRET_ARN.test(value)) return value;
    problems.add(
      path,
      `is ${show(value)}, not a Secrets Manager secret ARN (arn:aws:secretsmanager:{region}:{account}:secret:{name})`,
    );
    return undefined;
  }
  if (SECRET_NAME.test(value)) return value;
  problems.add(path, `is ${show(value)}, not a secret name: use 1-512 letters, digits or /_+=.@-`);
  return undefined;
}

/**
 * An SSM parameter *name*. The value is never quoted: a common mistake is pasting the secret
 * itself (the PAT, the webhook URL) instead of the name of the parameter that holds it.
 */
export function parameterName(value: string, path: string, problems: Problems, holds: string): string | undefined {
  if (/^https?:\/\//i.test(value)) {
    problems.add(
      path,
      `looks like a URL: it takes the name of an SSM SecureString parameter holding ${holds} (e.g. ` +
        `"/ado-key-rotator/..."), not the value itself`,
    );
    return undefined;
  }
  if (!value.startsWith('/')) {
    problems.add(
      path,
      `is not an SSM parameter name: it must start with "/" and name the SecureString parameter holding ${holds}`,
    );
    return undefined;
  }
  if (!SSM_PARAMETER_NAME.test(value)) {
    problems.add(
      path,
      `is not a valid SSM parameter name: use letters, digits, "_", ".", "-" and "/" (at most 1011 characters)`,
    );
    return undefined;
  }
  return value;
}

export function email(value: unknown, path: string, problems: Problems): string | undefined {
  if (typeof value === 'string' && EMAIL.test(value)) return value;
  problems.add(path, `is ${show(value)}, not an e-mail address: alarms are sent there (or leave it out)`);
  return undefined;
}
