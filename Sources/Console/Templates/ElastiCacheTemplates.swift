/// ElastiCache pages: the caches of the session's region and the create form.
enum ElastiCacheTemplates {
    static let caches = """
        <h1>ElastiCache · {{region}}</h1>
        <section aria-labelledby="clusters-heading">
        <h2 id="clusters-heading">Cache clusters</h2>
        {{^hasClusters}}<p id="no-clusters">No cache clusters in {{region}}.</p>{{/hasClusters}}
        {{#hasClusters}}
        <table id="clusters">
        <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Engine</th><th scope="col">Version</th><th scope="col">Node type</th><th scope="col">Nodes</th><th scope="col">Endpoints</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
        {{#clusters}}
        <tr data-cluster="{{id}}">
          <td class="name"><a href="/console/elasticache/cluster?region={{region}}&amp;id={{idQuery}}">{{id}}</a></td><td class="status">{{status}}</td><td>{{engine}}</td><td>{{version}}</td><td>{{nodeType}}</td><td>{{nodes}}</td>
          <td class="endpoints">{{#endpoints}}<code>{{.}}</code>{{/endpoints}}</td>
          <td><div class="actions">
            <form method="post" action="/console/elasticache/reboot">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
              <input type="hidden" name="id" value="{{id}}"><input type="hidden" name="nodes" value="{{nodeIds}}">
              <button type="submit" class="reboot">Reboot</button>
            </form>
            <form method="post" action="/console/elasticache/delete">
              <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
              <input type="hidden" name="id" value="{{id}}">
              <button type="submit" class="delete danger">Delete</button>
            </form>
          </div></td>
        </tr>
        {{/clusters}}
        </tbody>
        </table>
        {{#next}}<p><a id="next-clusters" href="/console/elasticache?region={{region}}&amp;marker={{next}}">Next page</a></p>{{/next}}
        {{/hasClusters}}
        </section>

        <section aria-labelledby="groups-heading">
        <h2 id="groups-heading">Replication groups</h2>
        {{^hasGroups}}<p>No replication groups in {{region}}.</p>{{/hasGroups}}
        {{#hasGroups}}
        <table id="replication-groups">
        <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Description</th><th scope="col">Members</th><th scope="col">Primary endpoint</th></tr></thead>
        <tbody>{{#groups}}<tr data-group="{{id}}"><td class="name"><a href="/console/elasticache/group?region={{region}}&amp;id={{idQuery}}">{{id}}</a></td><td>{{status}}</td><td>{{description}}</td><td>{{members}}</td><td><code>{{endpoint}}</code></td></tr>{{/groups}}</tbody>
        </table>
        {{/hasGroups}}
        </section>

        <section aria-labelledby="serverless-heading">
        <h2 id="serverless-heading">Serverless caches</h2>
        {{^hasServerless}}<p>No serverless caches in {{region}}.</p>{{/hasServerless}}
        {{#hasServerless}}
        <table id="serverless-caches">
        <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Engine</th><th scope="col">Endpoint</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>{{#serverless}}<tr data-serverless="{{id}}"><td>{{id}}</td><td>{{status}}</td><td>{{engine}}</td><td><code>{{endpoint}}</code></td>
          <td><form method="post" action="/console/elasticache/serverless/delete">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
            <input type="hidden" name="id" value="{{id}}"><button type="submit" class="danger">Delete</button></form></td></tr>{{/serverless}}</tbody>
        </table>
        {{/hasServerless}}
        <form method="post" action="/console/elasticache/serverless/create" class="stacked" id="create-serverless">
          <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
          <label for="serverless-name">Serverless cache name</label>
          <input id="serverless-name" name="id" required maxlength="40">
          <label for="serverless-engine">Engine</label>
          <select id="serverless-engine" name="engine"><option value="valkey">Valkey</option><option value="redis">Redis OSS</option><option value="memcached">Memcached</option></select>
          <button type="submit" id="create-serverless-submit">Create serverless cache</button>
        </form>
        </section>

        <section aria-labelledby="create-heading">
        <h2 id="create-heading">Create a cache cluster</h2>
        <form method="post" action="/console/elasticache/create" class="stacked" id="create-cluster">
          <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
          <label for="cluster-id">Name</label>
          <input id="cluster-id" name="id" required maxlength="50" pattern="[A-Za-z][A-Za-z0-9-]*">
          <label for="engine">Engine</label>
          <select id="engine" name="engine">
            <option value="valkey">Valkey</option><option value="redis">Redis OSS</option><option value="memcached">Memcached</option>
          </select>
          <label for="node-type">Node type</label>
          <select id="node-type" name="nodeType">{{#nodeTypes}}<option>{{.}}</option>{{/nodeTypes}}</select>
          <label for="num-nodes">Number of nodes (Memcached: 1–40; Redis OSS and Valkey: 1)</label>
          <input id="num-nodes" name="numNodes" type="number" min="1" max="40" value="1">
          <label for="replicas">Replicas (Redis OSS and Valkey: 1–5 makes a replication group with automatic failover)</label>
          <input id="replicas" name="replicas" type="number" min="0" max="5" value="0">
          <label for="auth-token">AUTH token (optional; turns on encryption in transit)</label>
          <input id="auth-token" name="authToken" type="password" autocomplete="new-password" minlength="16" maxlength="128">
          <label for="parameter-group">Parameter group (optional)</label>
          <input id="parameter-group" name="parameterGroup">
          <label for="subnet-group">Subnet group (optional)</label>
          <input id="subnet-group" name="subnetGroup">
          <button type="submit" id="create">Create</button>
        </form>
        </section>
        """
}

extension ElastiCacheTemplates {
    /// One cluster: nodes and endpoints, groups, the service's events, modify, snapshots.
    static let cluster = """
        <p><a href="/console/elasticache?region={{region}}">ElastiCache</a> › {{id}}</p>
        <h1>{{id}} <span class="status" id="cluster-status">{{status}}</span></h1>
        <dl class="facts">
          <dt>Engine</dt><dd>{{engine}} {{version}}</dd>
          <dt>Node type</dt><dd>{{nodeType}}</dd>
          <dt>Parameter group</dt><dd id="parameter-group">{{parameterGroup}} ({{parameterStatus}})</dd>
          <dt>Subnet group</dt><dd>{{subnetGroup}}</dd>
          <dt>Configuration endpoint</dt><dd><code>{{configurationEndpoint}}</code></dd>
          <dt>Replication group</dt><dd>{{replicationGroup}}</dd>
          <dt>Pending changes</dt><dd id="pending">{{pending}}</dd>
        </dl>
        <h2>Nodes</h2>
        <table id="nodes">
        <thead><tr><th scope="col">Node</th><th scope="col">Status</th><th scope="col">Endpoint</th><th scope="col">Availability zone</th><th scope="col">Created</th></tr></thead>
        <tbody>{{#nodes}}<tr><td>{{id}}</td><td>{{status}}</td><td><code>{{endpoint}}</code></td><td>{{zone}}</td><td>{{created}}</td></tr>{{/nodes}}</tbody>
        </table>

        <h2>Modify</h2>
        <form method="post" action="/console/elasticache/modify" class="stacked" id="modify-cluster">
          <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
          <input type="hidden" name="id" value="{{id}}">
          <label for="modify-node-type">Node type</label>
          <select id="modify-node-type" name="nodeType">{{#nodeTypes}}<option{{#selected}} selected{{/selected}}>{{name}}</option>{{/nodeTypes}}</select>
          {{#memcached}}
          <label for="modify-num-nodes">Number of nodes</label>
          <input id="modify-num-nodes" name="numNodes" type="number" min="1" max="40" value="{{nodeCount}}">
          {{/memcached}}
          <label class="inline"><input type="checkbox" name="applyImmediately" value="1" checked> Apply immediately</label>
          <button type="submit" id="modify">Modify</button>
        </form>

        {{^memcached}}
        <h2>Snapshots</h2>
        {{^hasSnapshots}}<p id="no-snapshots">No snapshots of {{id}}.</p>{{/hasSnapshots}}
        {{#hasSnapshots}}
        <table id="snapshots">
        <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Source</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr></thead>
        <tbody>{{#snapshots}}<tr data-snapshot="{{name}}"><td>{{name}}</td><td>{{status}}</td><td>{{source}}</td>
          <td><form method="post" action="/console/elasticache/snapshots/delete">
            <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
            <input type="hidden" name="id" value="{{id}}"><input type="hidden" name="snapshot" value="{{name}}">
            <button type="submit" class="danger">Delete</button></form></td></tr>{{/snapshots}}</tbody>
        </table>
        {{/hasSnapshots}}
        <form method="post" action="/console/elasticache/snapshots/create" class="stacked" id="create-snapshot">
          <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
          <input type="hidden" name="id" value="{{id}}">
          <label for="snapshot-name">Snapshot name</label>
          <input id="snapshot-name" name="snapshot" required maxlength="255">
          <button type="submit" id="create-snapshot-submit">Create snapshot</button>
        </form>
        {{/memcached}}

        {{> events}}
        """

    /// A cluster's or group's service events (DescribeEvents), a partial of both pages.
    static let events = """
        <h2>Events</h2>
        {{^hasEvents}}<p>No events for {{id}} in the last 14 days.</p>{{/hasEvents}}
        {{#hasEvents}}
        <table id="service-events">
        <thead><tr><th scope="col">Date</th><th scope="col">Message</th></tr></thead>
        <tbody>{{#events}}<tr><td>{{date}}</td><td>{{message}}</td></tr>{{/events}}</tbody>
        </table>
        {{/hasEvents}}
        """

    /// One replication group: its node groups and members, settings, events, delete.
    static let group = """
        <p><a href="/console/elasticache?region={{region}}">ElastiCache</a> › {{id}}</p>
        <h1>{{id}} <span class="status" id="group-status">{{status}}</span></h1>
        <dl class="facts">
          <dt>Description</dt><dd>{{description}}</dd>
          <dt>Node type</dt><dd>{{nodeType}}</dd>
          <dt>Cluster mode</dt><dd>{{clusterMode}}</dd>
          <dt>Automatic failover</dt><dd>{{failover}}</dd>
          <dt>Multi-AZ</dt><dd>{{multiAZ}}</dd>
          <dt>AUTH</dt><dd>{{auth}}</dd>
          <dt>Encryption in transit</dt><dd>{{transit}}{{#tls}} ({{transitMode}}): clients connect with TLS and verify the endpoints with <a href="/_cachetrail/nodes/ca.pem" id="node-ca">this certificate authority</a>{{/tls}}</dd>
          <dt>Configuration endpoint</dt><dd><code>{{configurationEndpoint}}</code></dd>
        </dl>
        <h2>Node groups</h2>
        <table id="node-groups">
        <thead><tr><th scope="col">Node group</th><th scope="col">Status</th><th scope="col">Primary endpoint</th><th scope="col">Reader endpoint</th><th scope="col">Members</th></tr></thead>
        <tbody>{{#nodeGroups}}<tr><td>{{id}}</td><td>{{status}}</td><td><code>{{primary}}</code></td><td><code>{{reader}}</code></td>
          <td>{{#members}}<div>{{cluster}} ({{role}}) <code>{{endpoint}}</code></div>{{/members}}</td></tr>{{/nodeGroups}}</tbody>
        </table>
        {{> events}}
        <h2>Delete</h2>
        <form method="post" action="/console/elasticache/group/delete">
          <input type="hidden" name="csrf" value="{{csrf}}"><input type="hidden" name="region" value="{{region}}">
          <input type="hidden" name="id" value="{{id}}">
          <button type="submit" class="danger" id="delete-group">Delete replication group</button>
        </form>
        """
}
