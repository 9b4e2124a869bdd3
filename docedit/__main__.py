from docedit.cli import main

main()
