# bash completion for qgate: commands, each command's options (read from `qgate COMMAND --help`, so they never
# go stale), data-spec kinds after --data, scheme presets after --scheme, file names elsewhere.
# Installed as share/bash-completion/completions/qgate; or `source` it.
_qgate() {
  local cur prev cmd
  cur=${COMP_WORDS[COMP_CWORD]}
  prev=${COMP_WORDS[COMP_CWORD - 1]}
  cmd=${COMP_WORDS[1]:-}
  local commands="inspect run quantize eval compare diff"

  if ((COMP_CWORD == 1)); then
    mapfile -t COMPREPLY < <(compgen -W "$commands --help --version" -- "$cur")
    return
  fi
  case $prev in
    --data)
      mapfile -t COMPREPLY < <(compgen -W "idx: folder: list: npy: text:" -- "$cur")
      compopt -o nospace 2>/dev/null
      return ;;
    --scheme | -s | --schemes)
      # The presets, as `qgate inspect --help` lists them ("...: tflite-dynamic, ..., ort-dynamic (or ...").
      local presets
      presets=$("${COMP_WORDS[0]}" inspect --help 2>/dev/null | tr -d '\n' | sed -n 's/.*quantization scheme: *\([^(]*\)(.*/\1/p' | tr -d ' ' | tr ',' ' ')
      mapfile -t COMPREPLY < <(compgen -W "$presets" -- "$cur")
      return ;;
    --threads | --limit | --top-k | --seed | --gate | -g | --output-index | --sensitivity-samples | --float-budget \
      | --input-shape)
      return ;;
  esac
  if [[ $cur == -* ]]; then
    local options
    options=$("${COMP_WORDS[0]}" "$cmd" --help 2>/dev/null | grep -o -- '--[a-z0-9][a-z0-9-]*' | sort -u)
    mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
    return
  fi
  mapfile -t COMPREPLY < <(compgen -f -- "$cur")
  compopt -o filenames 2>/dev/null
}
complete -F _qgate qgate
