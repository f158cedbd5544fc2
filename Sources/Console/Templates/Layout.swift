/// The page frame every signed-in page shares, and the sign-in page. Mustache escapes every
/// `{{value}}`; only `{{{body}}}`, HTML this module rendered itself, is inserted raw.
enum LayoutTemplates {
    static let layout = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · cachetrail console</title>
        <link rel="stylesheet" href="/console/static/console.css">
        <script src="/console/static/console.js" defer></script>
        </head>
        <body>
        <header class="top">
          <a class="brand" href="/console/elasticache">cachetrail</a>
          <nav aria-label="Services">
            <a href="/console/elasticache?region={{region}}"{{#nav.elasticache}} aria-current="page"{{/nav.elasticache}}>ElastiCache</a>
            <a href="/console/cloudtrail?region={{region}}"{{#nav.history}} aria-current="page"{{/nav.history}}>Event history</a>
            <a href="/console/cloudtrail/trails?region={{region}}"{{#nav.trails}} aria-current="page"{{/nav.trails}}>Trails</a>
          </nav>
          <form class="region" method="get" action="{{path}}">
            <label for="region-select">Region</label>
            <select id="region-select" name="region" data-autosubmit>
              {{#regions}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{name}}</option>{{/regions}}
            </select>
            <noscript><button type="submit">Switch</button></noscript>
          </form>
          <span class="identity" id="identity">{{identity}} @ {{account}}</span>
          <form method="post" action="/console/signout">
            <input type="hidden" name="csrf" value="{{csrf}}">
            <button type="submit" id="signout">Sign out</button>
          </form>
        </header>
        <main id="main">
        {{#flash}}<p class="flash {{kind}}" role="alert" id="flash">{{message}}</p>{{/flash}}
        {{#failures}}<p class="flash error" role="alert">{{.}}</p>{{/failures}}
        {{{body}}}
        </main>
        </body>
        </html>
        """

    static let password = """
        <h1>Change your password</h1>
        {{#required}}<p id="password-required">Your password must be changed before you continue.</p>{{/required}}
        {{#error}}<p class="flash error" role="alert" id="password-error">{{error}}</p>{{/error}}
        <form method="post" action="/console/password" class="stacked" id="change-password">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="old-password">Old password</label>
          <input id="old-password" name="oldPassword" type="password" required autocomplete="current-password">
          <label for="new-password">New password</label>
          <input id="new-password" name="newPassword" type="password" required autocomplete="new-password">
          <label for="confirm-password">Confirm new password</label>
          <input id="confirm-password" name="confirmPassword" type="password" required autocomplete="new-password">
          <button type="submit" id="change-password-submit">Change password</button>
        </form>
        """

    static let signIn = """
        <!doctype html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>Sign in · cachetrail console</title>
        <link rel="stylesheet" href="/console/static/console.css">
        </head>
        <body class="signin">
        <main>
        <h1>Sign in</h1>
        <p>Root user: leave the IAM user name empty. IAM user: the account, the user name and the
        password of its login profile.</p>
        {{#error}}<p class="flash error" role="alert" id="signin-error">{{error}}</p>{{/error}}
        <form method="post" action="/console/signin">
          <input type="hidden" name="csrf" value="{{csrf}}">
          <label for="account">Account ID</label>
          <input id="account" name="account" value="{{account}}" required autocomplete="username" inputmode="numeric">
          <label for="username">IAM user name</label>
          <input id="username" name="username" value="{{username}}" autocomplete="off">
          <label for="password">Password</label>
          <input id="password" name="password" type="password" required autocomplete="current-password">
          <button type="submit" id="signin">Sign in</button>
        </form>
        </main>
        </body>
        </html>
        """
}
