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
          <td>{{id}}</td><td class="status">{{status}}</td><td>{{engine}}</td><td>{{version}}</td><td>{{nodeType}}</td><td>{{nodes}}</td>
          <td>{{#endpoints}}<code>{{.}}</code> {{/endpoints}}</td>
          <td class="actions">
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
          </td>
        </tr>
        {{/clusters}}
        </tbody>
        </table>
        {{/hasClusters}}
        </section>

        <section aria-labelledby="groups-heading">
        <h2 id="groups-heading">Replication groups</h2>
        {{^hasGroups}}<p>No replication groups in {{region}}.</p>{{/hasGroups}}
        {{#hasGroups}}
        <table id="replication-groups">
        <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Description</th><th scope="col">Members</th><th scope="col">Primary endpoint</th></tr></thead>
        <tbody>{{#groups}}<tr><td>{{id}}</td><td>{{status}}</td><td>{{description}}</td><td>{{members}}</td><td><code>{{endpoint}}</code></td></tr>{{/groups}}</tbody>
        </table>
        {{/hasGroups}}
        </section>

        <section aria-labelledby="serverless-heading">
        <h2 id="serverless-heading">Serverless caches</h2>
        {{^hasServerless}}<p>No serverless caches in {{region}}.</p>{{/hasServerless}}
        {{#hasServerless}}
        <table id="serverless-caches">
        <thead><tr><th scope="col">Name</th><th scope="col">Status</th><th scope="col">Engine</th><th scope="col">Endpoint</th></tr></thead>
        <tbody>{{#serverless}}<tr><td>{{id}}</td><td>{{status}}</td><td>{{engine}}</td><td><code>{{endpoint}}</code></td></tr>{{/serverless}}</tbody>
        </table>
        {{/hasServerless}}
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
          <label for="parameter-group">Parameter group (optional)</label>
          <input id="parameter-group" name="parameterGroup">
          <label for="subnet-group">Subnet group (optional)</label>
          <input id="subnet-group" name="subnetGroup">
          <button type="submit" id="create">Create</button>
        </form>
        </section>
        """
}
