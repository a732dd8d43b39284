# exchange's completion for bash: `exchange completion bash`, installed by
# `exchange completion bash --install`. The answers are added as plain words (quoted with
# printf %q), never evaluated: a catalogue's text cannot run here.
_exchange_completion() {
    local line value
    local -a lines
    COMPREPLY=()
    mapfile -t lines < <(_EXCHANGE_COMPLETE=bash "${COMP_WORDS[0]}" "${COMP_WORDS[@]:1:COMP_CWORD}" 2>/dev/null)
    for line in "${lines[@]}"; do
        if [[ $line == files ]]; then
            compopt -o default 2>/dev/null
            COMPREPLY=()
            return 0
        fi
        [[ $line == *$'\t'* ]] || continue
        value=${line%%$'\t'*}
        [[ -n $value ]] && COMPREPLY+=("$(printf '%q' "$value")")
    done
    return 0
}
complete -F _exchange_completion exchange
