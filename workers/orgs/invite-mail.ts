// Delivering an invitation. No mail transport is wired yet: in development (ENVIRONMENT=development, set
// explicitly by `npm start`) the "email" is a log line with the accept link; anywhere else the token never
// reaches a log — only the invitation's id is logged, and the invitation has to be re-sent once a transport exists.
import { log } from '../../common/logger';

export interface InvitationMail {
  invitation_id: string;
  to: string;
  org_name: string;
  /** The accept link; carries the token in its fragment (never sent to a server by a browser). */
  link: string;
  expires_at: Date;
}

export function deliverInvitation(env: { ENVIRONMENT: string }, mail: InvitationMail): void {
  if (env.ENVIRONMENT === 'development') {
    log('info', 'invitation email (development: logged, not sent)', {
      invitation_id: mail.invitation_id,
      to: mail.to,
      org_name: mail.org_name,
      link: mail.link,
      expires_at: mail.expires_at.toISOString(),
    });
    return;
  }
  log('warn', 'invitation created but no mail transport is configured; the link was not delivered', { invitation_id: mail.invitation_id });
}

/** Where the web app accepts an invitation: `<origin>/invite#token=…`. */
export function acceptLink(requestUrl: string, token: string): string {
  const url = new URL('/invite', requestUrl);
  url.hash = new URLSearchParams({ token }).toString();
  return url.toString();
}
