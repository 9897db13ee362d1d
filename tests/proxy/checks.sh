: # checks
