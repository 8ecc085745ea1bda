-- os.exit with a status: the system's exit status is the script's.
print("exiting with 7")
os.exit(7)
