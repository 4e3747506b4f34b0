# Login shells find what install.sh put in /opt/bin, as on Flatcar.
case ":$PATH:" in *:/opt/bin:*) ;; *) PATH="$PATH:/opt/bin" ;; esac
export PATH
