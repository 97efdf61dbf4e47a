/*
 * Runs before the app's code has arrived: on a ticket page, asks for the ticket at once, so on a slow link
 * the answer comes back while the code is still downloading (lib/api.ts picks the response up).
 * A plain script, no module and no build step: it must run first and cost one tiny request.
 */
/* global window, location, localStorage, fetch */
(function () {
  try {
    var m = /^#\/ticket\/([0-9a-fA-F-]{36})$/.exec(location.hash);
    if (!m || /[?&]kiosk=1/.test(location.search)) return;
    var held = JSON.parse(localStorage.getItem('yc.tickets') || '[]');
    for (var i = 0; i < held.length; i++) {
      if (held[i] && held[i].id === m[1] && held[i].token) {
        window.__ycTicketPrefetch = {
          id: m[1],
          response: fetch('/api/v1/tickets/' + m[1], { headers: { accept: 'application/json', 'x-access-token': held[i].token }, cache: 'no-store' })
        };
        return;
      }
    }
  } catch {
    /* the app fetches normally */
  }
})();
