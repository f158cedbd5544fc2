/// CloudTrail pages: event history (one lookup attribute, a time range, pages, downloads) and trails.
enum CloudTrailTemplates {
    static let history = """
        <h1>Event history · {{region}}</h1>
        <form method="get" action="/console/cloudtrail" class="filters" id="lookup">
          <input type="hidden" name="region" value="{{region}}">
          <label for="attribute">Lookup attribute</label>
          <select id="attribute" name="attribute">
            {{#attributes}}<option value="{{name}}"{{#selected}} selected{{/selected}}>{{label}}</option>{{/attributes}}
          </select>
          <label for="value">Value</label>
          <input id="value" name="value" value="{{value}}">
          <label for="start">From (UTC)</label>
          <input id="start" name="start" type="datetime-local" value="{{start}}">
          <label for="end">To (UTC)</label>
          <input id="end" name="end" type="datetime-local" value="{{end}}">
          <button type="submit" id="lookup-submit">Look up</button>
        </form>
        <p class="downloads">Download events:
          <a id="download-csv" href="/console/cloudtrail/download?{{filterQuery}}&amp;format=csv">CSV</a>
          <a id="download-json" href="/console/cloudtrail/download?{{filterQuery}}&amp;format=json">JSON</a>
        </p>
        {{^hasEvents}}<p id="no-events">No events match.</p>{{/hasEvents}}
        {{#hasEvents}}
        <table id="events">
        <thead><tr><th scope="col">Event time</th><th scope="col">Event name</th><th scope="col">User name</th><th scope="col">Event source</th><th scope="col">Resource</th><th scope="col">Error</th></tr></thead>
        <tbody>
        {{#events}}
        <tr class="event" data-event-id="{{id}}" data-event-name="{{name}}">
          <td>{{time}}</td><td>{{name}}</td><td>{{user}}</td><td>{{source}}</td><td>{{resource}}</td><td>{{error}}</td>
        </tr>
        <tr class="record"><td colspan="6"><details><summary>Event record</summary><pre class="json">{{record}}</pre></details></td></tr>
        {{/events}}
        </tbody>
        </table>
        {{/hasEvents}}
        {{#next}}<p><a id="next-page" href="/console/cloudtrail?{{filterQuery}}&amp;token={{next}}">Next page</a></p>{{/next}}
        """

    static let trails = """
        <h1>Trails · {{region}}</h1>
        {{^hasTrails}}<p id="no-trails">No trails in {{region}}.</p>{{/hasTrails}}
        {{#hasTrails}}
        <table id="trails">
        <thead><tr><th scope="col">Name</th><th scope="col">Home region</th><th scope="col">Multi-region</th><th scope="col">S3 bucket</th><th scope="col">Logging</th><th scope="col">Latest delivery</th><th scope="col">Latest delivery error</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
        {{#trails}}
        <tr data-trail="{{name}}">
          <td>{{name}}</td><td>{{homeRegion}}</td><td>{{multiRegion}}</td>
          <td><a href="/console/s3?region={{region}}&amp;bucket={{bucketQuery}}">{{bucket}}</a></td>
          <td class="logging">{{logging}}</td><td>{{latestDelivery}}</td><td>{{deliveryError}}</td>
          <td>
            <form method="post" action="/console/cloudtrail/trails/{{action}}">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
              <input type="hidden" name="name" value="{{arn}}">
              <button type="submit" class="toggle-logging">{{actionLabel}}</button>
            </form>
          </td>
        </tr>
        {{/trails}}
        </tbody>
        </table>
        {{/hasTrails}}
        <section aria-labelledby="create-trail-heading">
        <h2 id="create-trail-heading">Create a trail</h2>
        <form method="post" action="/console/cloudtrail/trails/create" class="stacked" id="create-trail">
          <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
          <label for="trail-name">Trail name</label>
          <input id="trail-name" name="name" required maxlength="128">
          <label for="trail-bucket">S3 bucket</label>
          <input id="trail-bucket" name="bucket" required maxlength="63">
          <label class="inline"><input type="checkbox" name="newBucket" value="1" id="new-bucket" checked> Create a new bucket with the policy CloudTrail needs</label>
          <label class="inline"><input type="checkbox" name="multiRegion" value="1" checked> Apply to all regions</label>
          <button type="submit" id="create-trail-submit">Create trail</button>
        </form>
        </section>
        """

    static let bucket = """
        <h1>s3://{{bucket}}/{{prefix}}</h1>
        <p><a href="/console/cloudtrail/trails?region={{region}}">Trails</a>{{#parent}} · <a id="up" href="/console/s3?region={{region}}&amp;bucket={{bucketQuery}}&amp;prefix={{parentQuery}}">Up</a>{{/parent}}</p>
        {{^hasEntries}}<p id="no-objects">No objects under this prefix.</p>{{/hasEntries}}
        {{#hasEntries}}
        <table id="objects">
        <thead><tr><th scope="col">Name</th><th scope="col">Size</th><th scope="col">Last modified</th></tr></thead>
        <tbody>
        {{#folders}}<tr><td><a class="folder" href="/console/s3?region={{region}}&amp;bucket={{bucketQuery}}&amp;prefix={{query}}">{{name}}</a></td><td></td><td></td></tr>{{/folders}}
        {{#objects}}<tr><td><a class="object" href="/console/s3/download?region={{region}}&amp;bucket={{bucketQuery}}&amp;key={{query}}">{{name}}</a></td><td>{{size}}</td><td>{{modified}}</td></tr>{{/objects}}
        </tbody>
        </table>
        {{/hasEntries}}
        {{#next}}<p><a id="next-page" href="/console/s3?region={{region}}&amp;bucket={{bucketQuery}}&amp;prefix={{prefixQuery}}&amp;token={{next}}">Next page</a></p>{{/next}}
        """
}
