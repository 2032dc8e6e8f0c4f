# STAND-IN for the parts of Open OnDemand that turn a Batch Connect app into
# a Slurm job, which is not installed here. It renders the app's ERB files
# the way the dashboard does (form values as Strings; form.yml.erb and
# submit.yml.erb with their file name set, template/*.erb with `session` and
# `context`), writes the job script the way ood_core's "basic" Batch Connect
# template does (sources before.sh, forks script.sh in the background, under
# `timeout` when batch_connect.timeout is set, sources after.sh, writes
# connection.yml, waits, then clean_up sources clean.sh; no trap of its own)
# and the sbatch arguments its Slurm adapter would pass (--export=NONE).
#
#   ruby ood-standin.rb stage APP CONTEXT.json STAGED   -> exit 4 + message if
#                                                          submit.yml.erb refuses
#   ruby ood-standin.rb view APP STAGED                 -> view.html, info.md
require "erb"
require "json"
require "yaml"
require "ostruct"
require "fileutils"
require "securerandom"

def render(path, bind)
  erb = ERB.new(File.read(path), trim_mode: "-")
  erb.filename = path
  erb.result(bind)
end

# What the dashboard's BatchConnect::Session binds as `session`.
App = Struct.new(:root)
Session = Struct.new(:id, :staged_root, :app)
TemplateBinding = Struct.new(:session, :context) do
  def get_binding = binding
end

def stage(app, ctx_file, staged)
  ctx = JSON.parse(File.read(ctx_file)).transform_values(&:to_s)
  FileUtils.mkdir_p(staged)
  staged = File.realpath(staged)
  form = YAML.safe_load(render(File.join(app, "form.yml.erb"), Object.new.instance_eval { binding }))
  File.write(File.join(staged, "form.yml"), form.to_yaml)
  struct = OpenStruct.new(ctx.merge("staged_root" => staged))
  begin
    submit = YAML.safe_load(render(File.join(app, "submit.yml.erb"), struct.instance_eval { binding }))
  rescue ArgumentError => e
    warn "submit refused: #{e.message}"
    exit 4
  end
  File.write(File.join(staged, "submit.yml"), submit.to_yaml)

  # Stage template/: copy, render every .erb, drop the extension.
  session = Session.new(SecureRandom.uuid, staged, App.new(File.realpath(app)))
  bind = TemplateBinding.new(session, OpenStruct.new(ctx)).get_binding
  Dir.glob("**/*", base: File.join(app, "template")).each do |rel|
    src = File.join(app, "template", rel)
    next if File.directory?(src)
    dst = File.join(staged, rel.sub(/\.erb\z/, ""))
    FileUtils.mkdir_p(File.dirname(dst))
    File.write(dst, rel.end_with?(".erb") ? render(src, bind) : File.read(src))
    File.chmod(File.stat(src).mode & 0o777, dst)
  end
  File.write(File.join(staged, "user_defined_context.json"), JSON.pretty_generate(ctx))

  bc = submit.fetch("batch_connect", {})
  File.write(File.join(staged, "job_script_content.sh"), job_script(staged, bc))
  File.write(File.join(staged, "sbatch.args"), sbatch_args(staged, ctx, submit.fetch("script", {})).join("\n") + "\n")
end

# The "basic" template's script (ood_core BatchConnect::Template#to_s).
def job_script(dir, bc)
  params = (Array(bc["conn_params"]).map(&:to_s) + %w[host port password]).uniq
  run = bc["timeout"].to_s.empty? ? %("#{dir}/script.sh") : %(timeout #{bc["timeout"]} "#{dir}/script.sh")
  <<~SH
    #!/bin/bash

    cd #{dir}

    # Export useful connection variables
    export host
    export port

    # Generate a connection yaml file with given parameters
    create_yml () {
      echo "Generating connection YAML file..."
      (
        umask 077
        echo -e "#{params.map { |p| "#{p}: $#{p}" }.join('\n')}" > "#{dir}/connection.yml"
      )
    }

    # Cleanliness is next to Godliness
    clean_up () {
      echo "Cleaning up..."
      [[ -e "#{dir}/clean.sh" ]] && source "#{dir}/clean.sh"
      [[ ${SCRIPT_PID} ]] && pkill -P ${SCRIPT_PID} || :
      pkill -P $$
      exit ${1:-0}
    }

    # Source in all the helper functions
    source_helpers () {
      random_number () { shuf -i ${1}-${2} -n 1; }
      export -f random_number
      port_used () {
        local port="${1#*:}"
        local host=$((expr "${1}" : '\\(.*\\):' || echo "localhost") | awk 'END{print $NF}')
        nc -w 2 "${host}" "${port}" < /dev/null &> /dev/null
      }
      export -f port_used
      find_port () {
        local host="${1:-localhost}"
        local port=$(random_number "${2:-2000}" "${3:-65535}")
        while port_used "${host}:${port}"; do
          port=$(random_number "${2:-2000}" "${3:-65535}")
        done
        echo "${port}"
      }
      export -f find_port
      create_passwd () {
        tr -cd '[:alnum:]' < /dev/urandom 2> /dev/null | head -c${1:-8}
      }
      export -f create_passwd
    }
    export -f source_helpers

    source_helpers

    # Set host of current machine
    host=$(hostname)

    [[ -e "#{dir}/before.sh" ]] && source "#{dir}/before.sh"

    echo "Script starting..."
    #{run} &
    SCRIPT_PID=$!

    [[ -e "#{dir}/after.sh" ]] && source "#{dir}/after.sh"

    # Create the connection yaml file
    create_yml

    # Wait for script process to finish
    wait ${SCRIPT_PID} || clean_up 1

    # Exit cleanly
    clean_up
  SH
end

# ood_core's Slurm adapter: smart attributes plus submit.yml's script: part.
def sbatch_args(dir, ctx, script)
  a = ["-D", dir, "-o", File.join(dir, "output.log")]
  a += ["--mail-type", "BEGIN"] if ctx["bc_email_on_started"] == "1"
  a += ["-J", script["job_name"]] if script["job_name"]
  a += ["-p", ctx["auto_queues"]] unless ctx["auto_queues"].to_s.empty?
  a += ["-A", ctx["auto_accounts"]] unless ctx["auto_accounts"].to_s.empty?
  h = Integer(ctx["bc_num_hours"])
  a += ["-t", format("%02d:00:00", h)]
  a += ["--export", "NONE"]
  a + Array(script["native"]).map(&:to_s)
end

# The dashboard renders view.html.erb with connection.yml's keys as methods
# and info.md.erb with the session's.
def view(app, staged)
  conn = OpenStruct.new(YAML.safe_load(File.read(File.join(staged, "connection.yml"))))
  File.write(File.join(staged, "view.html"), render(File.join(app, "view.html.erb"), conn.instance_eval { binding }))
  sess = OpenStruct.new(staged_root: staged, connect: conn)
  File.write(File.join(staged, "info.md"), render(File.join(app, "info.md.erb"), sess.instance_eval { binding }))
end

case ARGV[0]
when "stage" then stage(ARGV[1], ARGV[2], ARGV[3])
when "view" then view(ARGV[1], ARGV[2])
else abort "usage: ood-standin.rb stage APP CONTEXT.json STAGED | view APP STAGED"
end
